using System.Text;
using KarmaKit.Collector.Storage;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KarmaKit.Collector.Tests.Storage;

public sealed class KarmaLogRecoveryTests : TempDirectory
{
    private static readonly DateTime Now = new(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);

    private static string Line(string batch, int size, string subject = "192.0.2.1") =>
        $"2026-11-26T17:19:03.004Z mx1.example.org black {subject} count=1 first=2026-11-26T17:18:58.123Z last=2026-11-26T17:19:03.004Z batch={batch} size={size}\n";

    private string Write(string content)
    {
        var path = Path.Combine(Dir, "karma.log");
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void Recover_CompleteLog_LeavesItAlone()
    {
        var content = Line("a", 1) + Line("b", 2) + Line("b", 2, "192.0.2.2");
        var path = Write(content);

        var sut = KarmaLogRecovery.Recover(path, 100, Now, NullLogger.Instance);

        Assert.Null(sut);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void Recover_TornLastLine_IsSetAsideAndTruncated()
    {
        var good = Line("a", 1);
        var path = Write(good + "2026-11-26T17:19:03.004Z mx1.example.org bla");

        var sut = KarmaLogRecovery.Recover(path, 100, Now, NullLogger.Instance);

        Assert.Equal(good, File.ReadAllText(path));
        Assert.Equal(path + ".torn-20261127T080000000Z", sut);
        Assert.Equal("2026-11-26T17:19:03.004Z mx1.example.org bla", File.ReadAllText(sut!));
    }

    [Fact]
    public void Recover_LastBatchCutShort_IsSetAsideWithTheTornLine()
    {
        var good = Line("a", 1) + Line("b", 2) + Line("b", 2, "192.0.2.2");
        var partial = Line("c", 3) + Line("c", 3, "192.0.2.2");
        var path = Write(good + partial + "2026-11-26T17:19");

        var sut = KarmaLogRecovery.Recover(path, 100, Now, NullLogger.Instance);

        Assert.Equal(good, File.ReadAllText(path));
        Assert.Equal(partial + "2026-11-26T17:19", File.ReadAllText(sut!));
    }

    [Fact]
    public void Recover_OnlyATornFragment_EmptiesTheLog()
    {
        var path = Write("2026-11-26T17:19:03.004Z mx1");

        var sut = KarmaLogRecovery.Recover(path, 100, Now, NullLogger.Instance);

        Assert.NotNull(sut);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void Recover_MissingOrEmptyLog_DoesNothing()
    {
        Assert.Null(KarmaLogRecovery.Recover(Path.Combine(Dir, "absent.log"), 100, Now, NullLogger.Instance));
        Assert.Null(KarmaLogRecovery.Recover(Write(""), 100, Now, NullLogger.Instance));
    }
}
