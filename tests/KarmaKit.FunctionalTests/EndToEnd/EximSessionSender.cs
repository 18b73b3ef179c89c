using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.EndToEnd;

/// <summary>
/// Keeps <c>exim -bh</c> sessions going, a few at a time, each from its own client address and each sending a
/// message with a simulated virus, so the test ACL reports the client to the agent by readsocket. Records which
/// subjects the agent acknowledged (<c>ok N</c> in Exim's would-be log) and anything else that happened.
/// </summary>
internal sealed partial class EximSessionSender : IAsyncDisposable
{
    public const string Reason = "virus Eicar-Test-Signature";

    private static readonly string[] VirusHeader = ["X-KK-Sim-Virus: Eicar-Test-Signature"];

    private readonly EximEnvironment _exim;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private int _next;

    private EximSessionSender(EximEnvironment exim, int parallel)
    {
        _exim = exim;
        _workers = [.. Enumerable.Range(0, parallel).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Canonical subject → the agent's spool id in its <c>ok</c> answer.</summary>
    public ConcurrentDictionary<string, long> Acknowledged { get; } = new();

    /// <summary>Sessions that did not end with a 550 and an <c>ok</c> from the agent, with what Exim said.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public static EximSessionSender Start(EximEnvironment exim, int parallel = 2) => new(exim, parallel);

    /// <summary>Waits until <paramref name="more"/> further reports have been acknowledged (or a minute has passed).</summary>
    public async Task WaitForMoreAsync(int more)
    {
        var target = Acknowledged.Count + more;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Acknowledged.Count < target && Problems.IsEmpty && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Stops starting sessions and waits for the ones under way.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _next);
            var (client, subject) = Client(n);
            try
            {
                var session = await _exim.StartSessionAsync(client);
                SmtpReply reply;
                try
                {
                    reply = await session.SendMessageAsync("a@sender.example", "u@test.example", VirusHeader);
                }
                finally
                {
                    await session.DisposeAsync(); // after this, all of stderr has been read
                }

                var answer = session.LogLines.Select(l => AnswerPattern().Match(l)).FirstOrDefault(m => m.Success);
                if (reply.Code != 550 || answer is null)
                {
                    Problems.Enqueue($"{client}: {reply}; log: {string.Join(" | ", session.LogLines)}");
                    continue;
                }

                Acknowledged[subject] = long.Parse(answer.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is TimeoutException or EndOfStreamException or InvalidOperationException or IOException)
            {
                Problems.Enqueue($"{client}: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// The n-th client: mostly TEST-NET-2 IPv4, every fourth an IPv6 documentation address written out in full
    /// (as <c>-bh</c> hands it to the ACL), which karma.log must show in its canonical, compressed form.
    /// </summary>
    private static (string Client, string Subject) Client(int n) =>
        n % 4 == 0
            ? ($"2001:0db8:0000:0000:0000:0000:0e2e:{n:x4}", $"2001:db8::e2e:{n:x}")
            : ($"198.51.{100 + (n / 250)}.{1 + (n % 250)}", $"198.51.{100 + (n / 250)}.{1 + (n % 250)}");

    [GeneratedRegex(@"agent answered \[ok ([0-9]+) \]$")]
    private static partial Regex AnswerPattern();
}
