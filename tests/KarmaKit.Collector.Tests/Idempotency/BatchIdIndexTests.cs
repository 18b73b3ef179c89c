using System.IO.Compression;
using System.Text;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.Idempotency;

public sealed class BatchIdIndexTests : TempDirectory
{
    private static readonly DateTime Now = new(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);

    private static string Line(DateTime received, string batch, int size, string reporter = "mx1.example.org") =>
        $"{received:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {reporter} black 192.0.2.1 count=1 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch={batch} size={size}\n";

    [Fact]
    public void Prune_OlderThanWindow_Forgets()
    {
        var sut = new BatchIdIndex(TimeSpan.FromDays(7));
        sut.Add(new BatchKey("mx1", "old"), new TakenBatch(Now.AddDays(-8), 1));
        sut.Add(new BatchKey("mx1", "new"), new TakenBatch(Now.AddDays(-1), 2));

        var removed = sut.Prune(Now);

        Assert.Equal(1, removed);
        Assert.False(sut.TryGet(new BatchKey("mx1", "old"), out _));
        Assert.True(sut.TryGet(new BatchKey("MX1", "new"), out var taken));
        Assert.Equal(2, taken.Reports);
        Assert.False(sut.TryGet(new BatchKey("mx1", "NEW"), out _));
    }

    [Fact]
    public void Load_LogAndRotations_TakesCompleteBatchesInsideTheWindow()
    {
        var log = Path.Combine(Dir, "karma.log");
        File.WriteAllText(log + ".1", Line(Now.AddDays(-2), "rotated", 1) + Line(Now.AddDays(-9), "ancient", 1));
        using (var gz = new GZipStream(File.Create(log + ".2.gz"), CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes(Line(Now.AddDays(-3), "zipped", 1)));
        }

        File.WriteAllText(log + ".torn-20261126T000000000Z", Line(Now.AddDays(-1), "sideline", 1));
        File.WriteAllText(log, Line(Now.AddHours(-1), "two", 2) + Line(Now.AddHours(-1), "two", 2) + Line(Now.AddMinutes(-1), "cut", 3) + "garbage line\n");
        var sut = new BatchIdIndex(TimeSpan.FromDays(7));

        BatchIdScanner.Load(log, sut, Now, NullLogger.Instance);

        Assert.True(sut.TryGet(new BatchKey("mx1.example.org", "rotated"), out _));
        Assert.True(sut.TryGet(new BatchKey("mx1.example.org", "zipped"), out _));
        Assert.True(sut.TryGet(new BatchKey("mx1.example.org", "two"), out var two));
        Assert.Equal(2, two.Reports);
        Assert.False(sut.TryGet(new BatchKey("mx1.example.org", "ancient"), out _));
        Assert.False(sut.TryGet(new BatchKey("mx1.example.org", "cut"), out _));
        Assert.False(sut.TryGet(new BatchKey("mx1.example.org", "sideline"), out _));
        Assert.Equal(3, sut.Count);
    }

    [Fact]
    public void Load_BatchesOfManyLines_CountsEveryLineOfEachBatch()
    {
        var log = Path.Combine(Dir, "karma.log");
        var old = Now.AddDays(-8);
        var recent = Now.AddHours(-2);
        File.WriteAllText(log + ".1",
            Line(old, "before", 2) + Line(old, "before", 2)
            + Line(recent, "split", 4) + Line(recent, "split", 4));
        File.WriteAllText(log,
            Line(recent, "split", 4) + Line(recent, "split", 4)
            + Line(recent, "same-id", 2, "mx1.example.org") + Line(recent, "same-id", 2, "mx2.example.org")
            + Line(recent, "three", 3) + "not a line\n" + Line(recent, "three", 3) + Line(recent, "three", 3)
            + Line(recent, "short", 3) + Line(recent, "short", 3));
        var sut = new BatchIdIndex(TimeSpan.FromDays(7));

        BatchIdScanner.Load(log, sut, Now, NullLogger.Instance);

        Assert.True(sut.TryGet(new BatchKey("mx1.example.org", "split"), out var split));
        Assert.Equal(4, split.Reports);
        Assert.True(sut.TryGet(new BatchKey("mx1.example.org", "three"), out _));
        Assert.False(sut.TryGet(new BatchKey("mx1.example.org", "before"), out _));
        Assert.False(sut.TryGet(new BatchKey("mx1.example.org", "same-id"), out _)); // one line each of two reporters' batches
        Assert.False(sut.TryGet(new BatchKey("mx2.example.org", "same-id"), out _));
        Assert.False(sut.TryGet(new BatchKey("mx1.example.org", "short"), out _));
        Assert.Equal(2, sut.Count);
    }
}
