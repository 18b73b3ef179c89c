using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// A stand-in for a broken agent, not the agent: a loopback TCP listener that accepts every connection and either
/// never answers (silent: a hung agent) or answers <c>ok 1</c> only after <see cref="AnswerDelay"/> (slow: an agent
/// stuck on its disk). It shows what Exim does when the agent misbehaves; the real agent does neither.
/// </summary>
internal sealed class BrokenAgent : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _accepting;

    private BrokenAgent(TimeSpan? answerDelay)
    {
        AnswerDelay = answerDelay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>null: never answers.</summary>
    public TimeSpan? AnswerDelay { get; }

    public string TcpSocket => $"inet:127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static BrokenAgent Silent() => new(null);

    public static BrokenAgent Slow(TimeSpan answerDelay) => new(answerDelay);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopping
        }

        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_clients)
            {
                _clients.Add(client); // kept open until disposed: a silent agent neither answers nor closes
            }

            if (AnswerDelay is { } delay)
            {
                _ = AnswerLateAsync(client, delay);
            }
        }
    }

    private async Task AnswerLateAsync(TcpClient client, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("ok 1\n"), _stop.Token);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Exim gave up and closed first, or the test is over
        }
    }
}
