using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Ingest;

public sealed class SlowClientTests : TempDirectory
{
    [Fact]
    public async Task Post_BodyNotFinishedInTime_408AndNothingAppended()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sut = await TestCollector.StartAsync(Dir, time, "--Collector:Ingest:MinBodyBytesPerSecond=0", "--Collector:Ingest:BodyTimeout=00:00:30");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, sut.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/batches HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {TestCollector.Token1}\r\nContent-Length: 1000\r\n\r\n{{\"reporter\":"));

        var head = ReadHeadAsync(stream);
        for (var i = 0; i < 500 && !head.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(31)); // the server's body timer exists once it is reading; advance until it fires
            await Task.WhenAny(head, Task.Delay(10));
        }

        Assert.StartsWith("HTTP/1.1 408 ", await head, StringComparison.Ordinal);
        Assert.Empty(sut.LogLines());
    }

    [Fact]
    public async Task Sighup_AfterRename_ReopensTheLog()
    {
        await using var sut = await TestCollector.StartAsync(Dir);
        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("before")));
        File.Move(sut.LogPath, sut.LogPath + ".1");

        using (var kill = Process.Start("kill", ["-HUP", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        for (var i = 0; i < 500 && !File.Exists(sut.LogPath); i++)
        {
            await Task.Delay(10); // the reopen runs on the writer; wait for the file it creates
        }

        await Batches.AcceptedAsync(await sut.PostAsync(Batches.Json("after")));
        Assert.Contains("batch=after ", Assert.Single(sut.LogLines()), StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(sut.LogPath + ".1"));
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (!Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
