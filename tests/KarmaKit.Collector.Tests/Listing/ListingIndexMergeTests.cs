using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Collector.Tests.Listing;

/// <summary>The engine over a state in memory: the index levels (recent, overlay, base) and merges keep the content.</summary>
public class ListingIndexMergeTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly SubjectStateStore _store = new();

    [Fact]
    public void Appended_MoreThanRecentLimit_FoldedIntoOverlayAndAllListed()
    {
        using var sut = Engine();
        sut.Recovered("");

        for (uint i = 0; i < ListingIndex.RecentLimit + 10; i++)
        {
            Commit(sut, Verb.Black, 0x0800_0000u + i);
        }

        var index = sut.Index(DnsList.Block);
        Assert.True(index.Overlay.Count > ListingIndex.RecentLimit);
        Assert.True(index.Recent.Count < ListingIndex.RecentLimit);
        Assert.Equal(ListingIndex.RecentLimit + 10, index.Count);
        Assert.Equal(index.Count, index.Entries().Count());
    }

    [Fact]
    public void MergeNow_AfterAddsAndRemovals_SameEntriesSameSerial()
    {
        for (uint i = 0; i < 100; i++)
        {
            Apply(Verb.Black, 0x0800_0000u + i);
        }

        using var sut = Engine();
        sut.Recovered("");
        for (uint i = 100; i < 150; i++)
        {
            Commit(sut, Verb.Black, 0x0800_0000u + i);
        }

        for (uint i = 0; i < 120; i += 2)
        {
            Commit(sut, Verb.White, 0x0800_0000u + i); // delists from the base and from the overlay
        }

        var before = Entries(sut);
        var serial = sut.Serial(DnsList.Block);

        sut.MergeNow();

        var index = sut.Index(DnsList.Block);
        Assert.Equal(before, Entries(sut));
        Assert.Equal(serial, sut.Serial(DnsList.Block));
        Assert.Equal(0, index.Changes);
        Assert.Equal(150 - 60, index.Count);
        Assert.Equal(60, sut.Count(DnsList.Allow));
        Assert.False(sut.TryGet(DnsList.Block, IpSubject.FromIPv4(0x0800_0000u), out _));
        Assert.True(sut.TryGet(DnsList.Block, IpSubject.FromIPv4(0x0800_0001u), out _));
    }

    [Fact]
    public async Task TryGet_WhileCommitsAndMergesPublish_ListedKeysNeverMissing()
    {
        for (uint i = 0; i < 5000; i++)
        {
            Apply(Verb.Black, 0x0800_0000u + i);
        }

        using var sut = Engine();
        sut.Recovered("");
        using var stop = new CancellationTokenSource();
        var misses = 0L;
        var reader = Task.Run(() =>
        {
            var i = 0u;
            while (!stop.IsCancellationRequested)
            {
                if (!sut.TryGet(DnsList.Block, IpSubject.FromIPv4(0x0800_0000u + (i++ % 5000)), out var answer) || answer.Reason != "spam x")
                {
                    Interlocked.Increment(ref misses);
                }
            }
        });

        for (uint i = 0; i < 3000; i++)
        {
            Commit(sut, Verb.Black, 0x0900_0000u + i);
            if (i % 1000 == 999)
            {
                sut.MergeNow();
            }
        }

        await stop.CancelAsync();
        await reader;

        Assert.Equal(0, Interlocked.Read(ref misses));
        Assert.Equal(8000, sut.Count(DnsList.Block));
    }

    [Fact]
    public void Appended_UnchangedAnswer_NoNewSerial()
    {
        using var sut = Engine();
        sut.Recovered("");
        Commit(sut, Verb.Black, 0x0800_0001u);
        var serial = sut.Serial(DnsList.Block);

        Commit(sut, Verb.Black, 0x0800_0001u);

        Assert.Equal(serial, sut.Serial(DnsList.Block));
    }

    private ListingEngine Engine() => new(_store, new CollectorOptions(), new SerialReservation(null, NullLogger.Instance), _time, NullLogger<ListingEngine>.Instance);

    private static string[] Entries(ListingEngine engine) =>
        [.. engine.Index(DnsList.Block).Entries().Select(e => $"{e.Key} {e.Value.Reason}").Order(StringComparer.Ordinal)];

    private void Apply(Verb verb, uint address)
    {
        var t = StateTime.Seconds(Now) - 60;
        using var _ = _store.EnterWrite();
        _store.Apply(_store.Reporters.GetOrAdd("mx1"), verb, IpSubject.FromIPv4(address), 1, t, t, t, _store.Reasons.GetOrAdd("spam x"));
    }

    private void Commit(ListingEngine engine, Verb verb, uint address)
    {
        Apply(verb, address);
        ReportEntry[] reports = [new(verb, IpSubject.FromIPv4(address), 1, Now, Now, "spam x")];
        engine.Appended(new KarmaLogAppend { Received = Now, Generation = 0, Start = 0, Bytes = "x\n"u8, Batches = [new AppendedBatch("mx1", reports)] });
    }
}
