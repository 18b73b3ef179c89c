using KarmaKit.Collector.State;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.State;

public sealed class StateReplayerTests : TempDirectory
{
    private string LogDir => Path.Combine(Dir, "log");

    private string LogPath => Path.Combine(LogDir, "karma.log");

    [Fact]
    public void Recovered_Log_GivesTheStateOfItsReports()
    {
        Directory.CreateDirectory(LogDir);
        File.WriteAllText(LogPath,
            StateLog.Line(0, "mx1.example.org", Verb.Black, "192.0.2.1", count: 3, reason: "virus Eicar")
            + "not a karma.log line\n"
            + StateLog.Line(1, "mx2.example.org", Verb.Black, "192.0.2.1", reason: "spam \"x\"")
            + StateLog.Line(2, "MX1.example.org", Verb.Black, "2001:db8::1")
            + StateLog.Line(3, "mx2.example.org", Verb.White, "192.0.2.1", reason: "customer"));

        var sut = StateLog.Recover(Dir);

        var store = sut.Store;
        Assert.Equal(5, sut.Startup!.Value.Lines);
        Assert.Equal(2, store.Count);
        Assert.Equal(2, store.Reporters.Count);
        Assert.True(store.TryGet(IpSubject.Parse("192.0.2.1"), out var s));
        Assert.Equal(4u, s.BlackCount);
        Assert.Equal(StateLog.T0.AddSeconds(-30), s.FirstBlack);
        Assert.Equal(StateLog.T0.AddMinutes(1), s.LastBlack);
        Assert.Equal("spam \"x\"", store.Reasons[s.BlackReasonId]);
        Assert.Equal(2, s.ReporterCount);
        Assert.Equal(StateLog.T0.AddMinutes(3), s.LastWhite);
        Assert.Equal("mx2.example.org", store.Reporters[s.WhiteReporterId]);
        Assert.Equal("customer", store.Reasons[s.WhiteReasonId]);
        Assert.True(store.TryGet(IpSubject.Parse("2001:db8::1"), out var v6));
        Assert.Equal("mx1.example.org", store.Reporters[v6.Reporter(0).ReporterId]);
        Assert.Equal(new FileInfo(LogPath).Length, store.Position!.Offset);
    }

    [Fact]
    public void Ordered_LogrotateNames_OldestFirstWithoutSideFiles()
    {
        Directory.CreateDirectory(LogDir);
        foreach (var name in new[] { "karma.log", "karma.log.1", "karma.log.2.gz", "karma.log.10.gz", "karma.log.3.gz", "karma.log.torn-20261126T120000000Z", "karma.logx", "karma.log.tmp" })
        {
            File.WriteAllText(Path.Combine(LogDir, name), "");
        }

        var sut = LogFileSet.Ordered(LogPath).Select(Path.GetFileName);

        Assert.Equal(["karma.log.10.gz", "karma.log.3.gz", "karma.log.2.gz", "karma.log.1", "karma.log"], sut);
    }

    [Fact]
    public void Ordered_DateextNames_ByDateThenTheLog()
    {
        Directory.CreateDirectory(LogDir);
        foreach (var name in new[] { "karma.log", "karma.log-20261127", "karma.log-20261125.gz", "karma.log-20261126.gz" })
        {
            File.WriteAllText(Path.Combine(LogDir, name), "");
        }

        var sut = LogFileSet.Ordered(LogPath).Select(Path.GetFileName);

        Assert.Equal(["karma.log-20261125.gz", "karma.log-20261126.gz", "karma.log-20261127", "karma.log"], sut);
    }

    [Fact]
    public void Ordered_DateformatWithDashes_ByDateThenTheLog()
    {
        // logrotate with dateformat -%Y-%m-%d; a name that is not a date is not a rotation.
        Directory.CreateDirectory(LogDir);
        foreach (var name in new[] { "karma.log", "karma.log-2026-11-27", "karma.log-2026-11-25.gz", "karma.log-2026-11-26.gz", "karma.log-old", "karma.log--" })
        {
            File.WriteAllText(Path.Combine(LogDir, name), "");
        }

        var sut = LogFileSet.Ordered(LogPath).Select(Path.GetFileName);

        Assert.Equal(["karma.log-2026-11-25.gz", "karma.log-2026-11-26.gz", "karma.log-2026-11-27", "karma.log"], sut);
    }

    [Fact]
    public void Recovered_RotatedPlainAndGzFiles_ReplaysOldestFirst()
    {
        Directory.CreateDirectory(LogDir);
        StateLog.WriteGz(LogPath + ".3.gz", StateLog.Line(0, "mx1", Verb.Black, "192.0.2.1", reason: "oldest"));
        StateLog.WriteGz(LogPath + ".2.gz", StateLog.Line(1, "mx2", Verb.Black, "192.0.2.1", reason: "older"));
        File.WriteAllText(LogPath + ".1", StateLog.Line(2, "mx3", Verb.Black, "192.0.2.1", reason: "old"));
        File.WriteAllText(LogPath, StateLog.Line(3, "mx4", Verb.Black, "192.0.2.2", reason: "new"));

        var sut = StateLog.Recover(Dir);

        Assert.Equal(4, sut.Startup!.Value.Files);
        Assert.True(sut.Store.TryGet(IpSubject.Parse("192.0.2.1"), out var s));
        Assert.Equal(3u, s.BlackCount);
        Assert.Equal(3, s.ReporterCount);
        Assert.Equal("old", sut.Store.Reasons[s.BlackReasonId]);
        Assert.Equal(StateLog.T0.AddSeconds(-30), s.FirstBlack);
        Assert.Equal(["mx1", "mx2", "mx3", "mx4"], Enumerable.Range(1, 4).Select(i => sut.Store.Reporters[i]));
    }

    [Fact]
    public void Recovered_NoLogAtAll_EmptyState()
    {
        var sut = StateLog.Recover(Dir);

        Assert.Equal(0, sut.Store.Count);
        Assert.Null(sut.Store.Position);
    }
}
