using System.Security.Cryptography;
using KarmaKit.Collector.Idempotency;
using KarmaKit.Collector.Operator;
using KarmaKit.Collector.State;
using KarmaKit.Collector.Tests.Support;
using KarmaKit.Protocol.Subjects;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Collector.Tests.State;

/// <summary>The operator's lines in karma.log as the state and the other log readers meet them.</summary>
public sealed class OperatorStateTests : TempDirectory
{
    private static readonly DateTime At = new(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc);

    public OperatorStateTests() => Directory.CreateDirectory(Path.Combine(Dir, "log"));

    private string LogPath => Path.Combine(Dir, "log", "karma.log");

    private string SnapshotPath => Path.Combine(Dir, "data", StateSnapshot.FileName);

    [Fact]
    public void Recovered_OperatorLinesBetweenReports_LedgerHoldsTheStandingEntries()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 100) + Ops(0) + StateLog.Lines(100, 50));

        var sut = StateLog.Recover(Dir);

        Assert.Equal(154, sut.Store.Lines); // every line, the operator's included
        Assert.Equal(Standing(), Entries(sut.Store));
        Assert.Equal(StateLog.Dump(ReportsOnly(StateLog.Lines(0, 100) + StateLog.Lines(100, 50)).Store), StateLog.Dump(sut.Store));
    }

    [Fact]
    public void Recovered_SnapshotThenOperatorTail_SameLedgerAsFullReplay()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 100) + Ops(0)[..Ops(0).IndexOf('\n', StringComparison.Ordinal)] + "\n");
        Assert.True(StateLog.Recover(Dir).SaveSnapshot() > 0);
        File.AppendAllText(LogPath, string.Join("", Ops(0).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l + "\n")) + StateLog.Lines(100, 20));

        var sut = StateLog.Recover(Dir);

        Assert.True(sut.StartedFromSnapshot);
        Assert.Equal(Standing(), Entries(sut.Store));
    }

    [Theory]
    [InlineData(1)] // no operator entries: its position may lie past operator lines it does not carry
    [InlineData(2)] // no batch ids of the window
    public void Recovered_OlderSnapshotVersion_WholeLogReplayed(int version)
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 100));
        var first = StateLog.Recover(Dir);
        Assert.True(first.SaveSnapshot() > 0);
        var bytes = File.ReadAllBytes(SnapshotPath);
        var body = bytes[..^32];
        body[8] = (byte)version;
        File.WriteAllBytes(SnapshotPath, [.. body, .. SHA256.HashData(body)]);

        var sut = StateLog.Recover(Dir); // the same log: only the version can turn the snapshot down

        Assert.False(sut.StartedFromSnapshot);
        Assert.Equal(first.Store.Count, sut.Store.Count);
    }

    [Fact]
    public void Load_OperatorLines_NotUnreadable()
    {
        File.WriteAllText(LogPath, StateLog.Lines(0, 10) + Ops(0));
        var logger = new EventLogger();

        BatchIdScanner.Load(LogPath, new BatchIdIndex(TimeSpan.FromDays(7)), At, logger);

        Assert.DoesNotContain(5006, logger.Events);
    }

    /// <summary>Three actions: an allow kept, one ended by unallow, a delist.</summary>
    private static string Ops(int minute) => string.Join("", new[]
    {
        new OperatorAction(At.AddMinutes(minute), "alice", OperatorVerb.Allow, Net("192.0.2.0/24"), At.AddDays(7), "customer relay"),
        new OperatorAction(At.AddMinutes(minute + 1), "alice", OperatorVerb.Allow, Net("203.0.113.5"), null, "partner"),
        new OperatorAction(At.AddMinutes(minute + 2), "bob", OperatorVerb.Unallow, Net("203.0.113.5"), null, null),
        new OperatorAction(At.AddMinutes(minute + 3), "bob", OperatorVerb.Delist, Net("198.51.100.7"), At.AddDays(1), "false positive"),
    }.Select(a => OperatorLogLine.Format(a) + "\n"));

    private static string[] Standing() =>
    [.. new[]
    {
        OperatorLogLine.Format(new OperatorAction(At.AddMinutes(3), "bob", OperatorVerb.Delist, Net("198.51.100.7"), At.AddDays(1), "false positive")),
        OperatorLogLine.Format(new OperatorAction(At, "alice", OperatorVerb.Allow, Net("192.0.2.0/24"), At.AddDays(7), "customer relay")),
    }.Order(StringComparer.Ordinal)];

    private static string[] Entries(SubjectStateStore store) => [.. store.Operator.Lines().Order(StringComparer.Ordinal)];

    private SubjectStateFeed ReportsOnly(string log)
    {
        var other = Path.Combine(Dir, "reports-only");
        Directory.CreateDirectory(Path.Combine(other, "log"));
        File.WriteAllText(Path.Combine(other, "log", "karma.log"), log);
        return StateLog.Recover(other);
    }

    private static IpNetwork Net(string text) => IpNetwork.TryParse(text.AsSpan(), out var n) ? n : IpNetwork.Single(IpSubject.Parse(text));

    private sealed class EventLogger : ILogger
    {
        public List<int> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add(eventId.Id);
    }
}
