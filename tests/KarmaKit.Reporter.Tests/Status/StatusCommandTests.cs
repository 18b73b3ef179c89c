using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using KarmaKit.Reporter.Status;
using KarmaKit.Reporter.Tests.Spool;
using static KarmaKit.Reporter.Tests.Spool.TempSpool;

namespace KarmaKit.Reporter.Tests.Status;

/// <summary>The status command over a real spool written by the real <see cref="SpoolJournal"/>, on a fake clock.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly TempSpool _spool = new();
    private readonly StringWriter _output = new() { NewLine = "\n" };
    private readonly StringWriter _error = new() { NewLine = "\n" };

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task Run_ReportsWaiting_ShowsEveryLine()
    {
        await using var journal = _spool.Open();
        await AppendManyAsync(journal, 2);
        _spool.Time.Advance(TimeSpan.FromSeconds(90));

        var exitCode = Run();

        Assert.Equal(0, exitCode);
        Assert.Equal(
            $"""
            spool            {_spool.Directory} (id {journal.SpoolId})
            collector        http://127.0.0.1:8440/
            queue depth      2 undelivered report(s)
            oldest waiting   90s ago (2026-11-26T17:18:58Z)
            last delivery    never
            dead letters     0 batch(es)
            in flight        -
            journal          1 segment(s), {journal.TotalBytes} bytes, delivered through #0 of #2

            """,
            _output.ToString());
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task Run_AllDelivered_ShowsLastDeliveryAndEmptyQueue()
    {
        await using var journal = _spool.Open();
        await AppendManyAsync(journal, 3);
        _spool.Time.Advance(TimeSpan.FromSeconds(10));
        var batch = new InFlightBatch("b-1", 1, 3);
        journal.BeginBatch(batch);
        journal.CompleteBatch(batch, BatchOutcome.Delivered);
        _spool.Time.Advance(TimeSpan.FromMinutes(5));

        var exitCode = Run();

        Assert.Equal(0, exitCode);
        Assert.Equal("0 undelivered report(s)", Line("queue depth"));
        Assert.Equal("-", Line("oldest waiting"));
        Assert.Equal("2026-11-26T17:19:08Z (5m ago)", Line("last delivery"));
        Assert.EndsWith("delivered through #3 of #3", Line("journal"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DeadLetterAndBatchInFlight_CountsAndNamesThem()
    {
        await using var journal = _spool.Open();
        await AppendManyAsync(journal, 4);
        var dead = new InFlightBatch("d-1", 1, 2);
        journal.BeginBatch(dead);
        journal.WriteDeadLetter(dead, "{}", "400 reports[0]: bad subject");
        journal.CompleteBatch(dead, BatchOutcome.DeadLettered);
        journal.BeginBatch(new InFlightBatch("p-2", 3, 4));

        var exitCode = Run();

        Assert.Equal(0, exitCode);
        Assert.Equal($"1 batch(es) in {Path.Combine(_spool.Directory, "deadletter.jsonl")}", Line("dead letters"));
        Assert.Equal("batch p-2", Line("in flight"));
        Assert.Equal("2 undelivered report(s)", Line("queue depth"));
        Assert.Equal("never", Line("last delivery")); // a dead letter is not a delivery
    }

    [Theory]
    [InlineData(0.5, "under 1s", 0)]
    [InlineData(119.0, "119s", 0)]
    [InlineData(600.0, "10m", 0)]
    [InlineData(601.0, "10m", StatusCommand.ExitStuck)]
    [InlineData(7199.0, "119m", StatusCommand.ExitStuck)]
    [InlineData(10800.0, "3h", StatusCommand.ExitStuck)]
    [InlineData(259200.0, "3d", StatusCommand.ExitStuck)]
    public async Task Run_OldestWaiting_AgeAndExitTwoOnlyOverTenMinutes(double seconds, string age, int expectedExitCode)
    {
        await using var journal = _spool.Open();
        await AppendManyAsync(journal, 1);
        _spool.Time.Advance(TimeSpan.FromSeconds(seconds));

        var exitCode = Run();

        Assert.Equal(expectedExitCode, exitCode);
        Assert.Equal($"{age} ago (2026-11-26T17:18:58Z)", Line("oldest waiting"));
    }

    [Fact]
    public async Task Run_OldReportsDelivered_ExitZero()
    {
        await using var journal = _spool.Open();
        await AppendManyAsync(journal, 1);
        journal.BeginBatch(new InFlightBatch("b-1", 1, 1));
        journal.CompleteBatch(new InFlightBatch("b-1", 1, 1), BatchOutcome.Delivered);
        _spool.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(0, Run());
        Assert.Equal("2026-11-26T17:18:58Z (24h ago)", Line("last delivery"));
    }

    [Fact]
    public void Run_MissingDirectory_SaysSoAndExitsZero()
    {
        var missing = Path.Combine(_spool.Directory, "never-ran");

        var exitCode = Run(missing);

        Assert.Equal(0, exitCode);
        Assert.Equal($"spool            {missing} (does not exist yet: the agent has never run with it)\n", _output.ToString());
        Assert.False(Directory.Exists(missing)); // status never creates anything
    }

    [Fact]
    public void Run_EmptyDirectory_NothingQueued()
    {
        var exitCode = Run();

        Assert.Equal(0, exitCode);
        Assert.Equal("0 undelivered report(s)", Line("queue depth"));
        Assert.EndsWith("(id none yet)", Line("spool"), StringComparison.Ordinal);
        Assert.Equal("0 segment(s), 0 bytes, delivered through #0 of #0", Line("journal"));
    }

    [Fact]
    public void Run_UnreadableState_ExitsOneWithReason()
    {
        File.WriteAllText(Path.Combine(_spool.Directory, "state.json"), "{ not json");

        var exitCode = Run();

        Assert.Equal(1, exitCode);
        Assert.Empty(_output.ToString());
        Assert.StartsWith($"karmakit-reporter: cannot read spool {_spool.Directory}: spool state ", _error.ToString(), StringComparison.Ordinal);
    }

    private int Run(string? spool = null) =>
        StatusCommand.Run(new ReporterOptions { Spool = spool ?? _spool.Directory }, _output, _error, _spool.Time);

    /// <summary>The value of the output line with this label.</summary>
    private string Line(string label)
    {
        var line = Assert.Single(_output.ToString().Split('\n'), l => l.StartsWith(label + "  ", StringComparison.Ordinal));
        return line[17..];
    }
}
