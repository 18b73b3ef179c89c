using KarmaKit.Collector.State;
using KarmaKit.Collector.Tests.Support;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Collector.Tests.State;

public sealed class StateReplayerProgressTests : TempDirectory
{
    [Fact]
    public void Replay_LongLogWithProgressDue_LogsLinesPercentAndRate()
    {
        var log = Path.Combine(Dir, "karma.log");
        File.WriteAllText(log, StateLog.Lines(0, 70_000, subjects: 200));
        var logger = new ListLogger();
        var store = new SubjectStateStore();
        using var sut = new StateReplayer(store, logger, progressEvery: TimeSpan.Zero);

        using (store.EnterWrite())
        {
            sut.Replay([log], 0, 0);
        }

        var progress = Assert.Single(logger.Messages, m => m.Id == 5100);
        Assert.Matches(@"^Rebuilding the DNSBL state from karma\.log: 65536 lines \(\d{1,3}%\), \d+ lines/s, 200 subjects, now in karma\.log$", progress.Text);
        Assert.Equal(70_000, store.Lines);
    }

    private sealed class ListLogger : ILogger
    {
        public List<(int Id, string Text)> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add((eventId.Id, formatter(state, exception)));
    }
}
