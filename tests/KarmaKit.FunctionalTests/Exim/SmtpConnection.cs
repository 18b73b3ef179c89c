using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KarmaKit.FunctionalTests.Exim;

/// <summary>A plain SMTP client over TCP, for talking to a real Exim daemon.</summary>
internal sealed class SmtpConnection : SmtpDialog
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private SmtpConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<SmtpConnection> ConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        var connection = new SmtpConnection(socket);
        connection.Banner = await connection.ReadReplyAsync();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    protected override async Task WriteLineAsync(string text) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));

    protected override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        await _reader.ReadLineAsync(cancellationToken);
}
