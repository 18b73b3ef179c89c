using KarmaKit.Collector.State;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.State;

public sealed class SubjectStateStoreTests
{
    private static readonly IpSubject Subject = IpSubject.Parse("192.0.2.7");
    private static readonly long T = StateTime.Seconds(StateLog.T0);

    [Fact]
    public void Apply_BlackAndWhiteReports_KeepsFirstLastCountsAndLatestReasons()
    {
        var sut = new SubjectStateStore();
        using (sut.EnterWrite())
        {
            var mx1 = sut.Reporters.GetOrAdd("mx1");
            var mx2 = sut.Reporters.GetOrAdd("mx2");
            sut.Apply(mx1, Verb.Black, Subject, 3, T + 10, T + 20, T + 30, sut.Reasons.GetOrAdd("virus A"));
            sut.Apply(mx2, Verb.Black, Subject, 2, T + 5, T + 15, T + 40, sut.Reasons.GetOrAdd("spam"));
            sut.Apply(mx2, Verb.White, Subject, 1, T + 50, T + 60, T + 60, sut.Reasons.GetOrAdd("our customer"));
        }

        Assert.True(sut.TryGet(Subject, out var state));
        Assert.Equal(StateLog.T0.AddSeconds(5), state.FirstBlack);
        Assert.Equal(StateLog.T0.AddSeconds(20), state.LastBlack);
        Assert.Equal(5u, state.BlackCount);
        Assert.Equal("virus A", sut.Reasons[state.BlackReasonId]);
        Assert.Equal(StateLog.T0.AddSeconds(60), state.LastWhite);
        Assert.Equal(1u, state.WhiteCount);
        Assert.Equal("mx2", sut.Reporters[state.WhiteReporterId]);
        Assert.Equal("our customer", sut.Reasons[state.WhiteReasonId]);
        Assert.Equal(2, state.ReporterCount);
        Assert.Equal(2, state.ReportersSince(StateLog.T0.AddSeconds(15)));
        Assert.Equal(1, state.ReportersSince(StateLog.T0.AddSeconds(16)));
        Assert.False(sut.TryGet(IpSubject.Parse("192.0.2.8"), out _));
    }

    [Fact]
    public void Apply_SightingAfterReceiveTime_TakenAsReceiveTime()
    {
        var sut = new SubjectStateStore();
        using (sut.EnterWrite())
        {
            sut.Apply(sut.Reporters.GetOrAdd("mx1"), Verb.Black, Subject, 1, T + 500, T + 900, T + 100, 0);
        }

        Assert.True(sut.TryGet(Subject, out var state));
        Assert.Equal(StateLog.T0.AddSeconds(100), state.LastBlack);
        Assert.Equal(StateLog.T0.AddSeconds(100), state.FirstBlack);
    }

    [Fact]
    public void Apply_MoreReportersThanHeld_KeepsTheMostRecent()
    {
        var sut = new SubjectStateStore();
        using (sut.EnterWrite())
        {
            for (var i = 0; i < SubjectStateStore.MaxReporters + 4; i++)
            {
                sut.Apply(sut.Reporters.GetOrAdd($"mx{i}"), Verb.Black, Subject, 1, T + i, T + i, T + 100, 0);
            }

            sut.Apply(sut.Reporters.GetOrAdd("mx5"), Verb.Black, Subject, 1, T + 99, T + 99, T + 100, 0);
        }

        Assert.True(sut.TryGet(Subject, out var state));
        var held = Enumerable.Range(0, state.ReporterCount).Select(i => sut.Reporters[state.Reporter(i).ReporterId]).Order().ToList();
        Assert.Equal(SubjectStateStore.MaxReporters, held.Count);
        Assert.Equal(Enumerable.Range(4, SubjectStateStore.MaxReporters).Select(i => $"mx{i}").Order(), held);
        Assert.Equal((uint)SubjectStateStore.MaxReporters + 5, state.BlackCount);
    }

    [Fact]
    public void TryGet_ManySubjectsOfBothFamilies_EveryOneFound()
    {
        var sut = new SubjectStateStore();
        const int Count = 150_000; // more than two entry chunks and several index rebuilds
        using (sut.EnterWrite())
        {
            var mx = sut.Reporters.GetOrAdd("mx1");
            for (var i = 0; i < Count; i++)
            {
                var subject = i % 2 == 0 ? IpSubject.FromIPv4(0x0A00_0000u + (uint)i) : IpSubject.FromIPv6(((UInt128)0x2001_0db8UL << 96) | (uint)i);
                sut.Apply(mx, Verb.Black, subject, 1, T, T + i, T + Count, 0);
            }
        }

        Assert.Equal(Count, sut.Count);
        for (var i = 0; i < Count; i += 7)
        {
            var subject = i % 2 == 0 ? IpSubject.FromIPv4(0x0A00_0000u + (uint)i) : IpSubject.FromIPv6(((UInt128)0x2001_0db8UL << 96) | (uint)i);
            Assert.True(sut.TryGet(subject, out var state));
            Assert.Equal(subject, state.Subject);
            Assert.Equal(StateLog.T0.AddSeconds(i), state.LastBlack);
        }
    }

    [Fact]
    public async Task TryGet_WhileTheWriterChangesTheEntry_AlwaysSeesAWholeEntry()
    {
        var sut = new SubjectStateStore();
        int mx;
        using (sut.EnterWrite())
        {
            mx = sut.Reporters.GetOrAdd("mx1");
            sut.Apply(mx, Verb.Black, Subject, 1, T, T, T, 0);
        }

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 1; i <= 200_000; i++)
            {
                using (sut.EnterWrite())
                {
                    sut.Apply(mx, Verb.Black, Subject, 1, T + i, T + i, T + i, 0);
                }
            }
        });
        var torn = 0;
        while (!writer.IsCompleted)
        {
            Assert.True(sut.TryGet(Subject, out var state));

            // Count and last sighting move together: count n+1 has last T+n.
            torn += state.LastBlack!.Value != StateLog.T0.AddSeconds(state.BlackCount - 1) ? 1 : 0;
        }

        await writer;
        Assert.Equal(0, torn);
    }
}
