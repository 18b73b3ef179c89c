using KarmaKit.Collector.State;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.State;

public sealed class StateSnapshotTests : TempDirectory
{
    private string LogDir => Path.Combine(Dir, "log");

    private string LogPath => Path.Combine(LogDir, "karma.log");

    private string SnapshotPath => Path.Combine(Dir, "data", StateSnapshot.FileName);

    public StateSnapshotTests() => Directory.CreateDirectory(LogDir);

    [Fact]
    public void Recovered_SnapshotAndTail_EqualsFullReplay()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 400));
        Assert.True(StateLog.Recover(Dir).SaveSnapshot() > 0);
        File.AppendAllText(LogPath, StateLog.Lines(400, 100, subjects: 80));

        var sut = StateLog.Recover(Dir);

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(100, sut.Startup!.Value.Lines);
        Assert.Equal(500, sut.Store.Lines);
        Assert.Equal(StateLog.Dump(FullReplay().Store), StateLog.Dump(sut.Store));
    }

    [Fact]
    public void Recovered_LogRotatedAndCompressedAfterSnapshot_ReplaysFromTheRenamedFile()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 300));
        StateLog.Recover(Dir).SaveSnapshot();
        File.AppendAllText(LogPath, StateLog.Lines(300, 50));
        StateLog.WriteGz(LogPath + ".2.gz", File.ReadAllText(LogPath));
        File.WriteAllText(LogPath + ".1", StateLog.Lines(350, 50));
        File.WriteAllText(LogPath, StateLog.Lines(400, 50));

        var sut = StateLog.Recover(Dir);

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(150, sut.Startup!.Value.Lines);
        Assert.Equal(StateLog.Dump(FullReplay().Store), StateLog.Dump(sut.Store));
    }

    [Fact]
    public void Recovered_SnapshotWithNothingNew_ReplaysNoLine()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 200));
        var before = StateLog.Recover(Dir);
        before.SaveSnapshot();

        var sut = StateLog.Recover(Dir);

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(0, sut.Startup!.Value.Lines);
        Assert.Equal(StateLog.Dump(before.Store), StateLog.Dump(sut.Store));
        Assert.Equal(0, sut.SaveSnapshot()); // nothing new since the snapshot it loaded
    }

    [Theory]
    [InlineData(8)] // the format version
    [InlineData(120)] // the tables
    [InlineData(-40)] // the last entry
    [InlineData(-1)] // the checksum
    public void Recovered_CorruptSnapshot_FullReplay(int at)
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 300));
        StateLog.Recover(Dir).SaveSnapshot();
        File.AppendAllText(LogPath, StateLog.Lines(300, 30));
        var bytes = File.ReadAllBytes(SnapshotPath);
        bytes[at < 0 ? bytes.Length + at : at] ^= 0x5A;
        File.WriteAllBytes(SnapshotPath, bytes);

        var sut = StateLog.Recover(Dir);

        Assert.False(sut.StartedFromSnapshot);
        Assert.Equal(330, sut.Startup!.Value.Lines);
        Assert.Equal(StateLog.Dump(FullReplay().Store), StateLog.Dump(sut.Store));
    }

    [Fact]
    public void Recovered_SnapshotCutShort_FullReplay()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 300));
        StateLog.Recover(Dir).SaveSnapshot();
        var bytes = File.ReadAllBytes(SnapshotPath);
        File.WriteAllBytes(SnapshotPath, bytes[..(bytes.Length / 2)]);

        var sut = StateLog.Recover(Dir);

        Assert.False(sut.StartedFromSnapshot);
        Assert.Equal(300, sut.Startup!.Value.Lines);
    }

    [Fact]
    public void Recovered_LogTruncatedAndRewrittenAfterSnapshot_FullReplay()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 300));
        StateLog.Recover(Dir).SaveSnapshot();
        var lines = File.ReadAllLines(LogPath);
        File.WriteAllText(LogPath, string.Join('\n', lines[..100]) + "\n" + StateLog.Lines(1000, 250));

        var sut = StateLog.Recover(Dir);

        Assert.False(sut.StartedFromSnapshot);
        Assert.Equal(350, sut.Startup!.Value.Lines);
        Assert.Equal(StateLog.Dump(FullReplay().Store), StateLog.Dump(sut.Store));
    }

    [Fact]
    public void Recovered_LogFileOfTheSnapshotGone_FullReplay()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 100));
        StateLog.Recover(Dir).SaveSnapshot();
        File.WriteAllText(LogPath, StateLog.Lines(100, 40));

        var sut = StateLog.Recover(Dir);

        Assert.False(sut.StartedFromSnapshot);
        Assert.Equal(40, sut.Startup!.Value.Lines);
    }

    [Fact]
    public void WriteThenTryRead_SubjectsWithEveryOverflowSize_SameState()
    {
        var store = new SubjectStateStore();
        using (store.EnterWrite())
        {
            for (var subject = 0; subject < 40; subject++)
            {
                for (var r = 0; r <= subject % 18; r++)
                {
                    store.Apply(store.Reporters.GetOrAdd($"mx{r}"), Protocol.Verb.Black, Protocol.Subjects.IpSubject.FromIPv4(0xC000_0200u + (uint)subject),
                        1, 1_800_000_000 + r, 1_800_000_000 + r, 1_800_000_100, store.Reasons.GetOrAdd($"reason {r}"));
                }
            }
        }

        StateImage image;
        using (store.EnterWrite())
        {
            image = store.Export();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(SnapshotPath)!);
        StateSnapshot.Write(SnapshotPath, image);
        var read = StateSnapshot.TryRead(SnapshotPath, out var problem);
        var sut = new SubjectStateStore();
        using (sut.EnterWrite())
        {
            sut.Load(read ?? throw new InvalidOperationException(problem));
        }

        Assert.Equal(StateLog.Dump(store), StateLog.Dump(sut));
        Assert.Contains("mx16@", StateLog.Dump(sut), StringComparison.Ordinal);
    }

    [Fact]
    public void Closed_BeforeTheStartupRebuildFinished_WritesNoSnapshot()
    {
        var sut = new SubjectStateFeed(new SubjectStateStore(), StateLog.Options(Dir), Microsoft.Extensions.Logging.Abstractions.NullLogger<SubjectStateFeed>.Instance);

        sut.Closed();

        Assert.False(File.Exists(SnapshotPath));
    }

    /// <summary>The state from every log file with no snapshot.</summary>
    private SubjectStateFeed FullReplay()
    {
        var other = Path.Combine(Dir, "full");
        Directory.CreateDirectory(Path.Combine(other, "log"));
        foreach (var file in Directory.GetFiles(LogDir))
        {
            File.Copy(file, Path.Combine(other, "log", Path.GetFileName(file)));
        }

        var feed = StateLog.Recover(other);
        Assert.False(feed.StartedFromSnapshot);
        return feed;
    }
}
