using KarmaKit.Reporter.Listener;
using Microsoft.Extensions.Logging;

namespace KarmaKit.Reporter.Tests.Listener;

internal sealed record LogEntry(LogLevel Level, int EventId, string Message);

/// <summary>Keeps every log entry, for tests that assert a warning was given.</summary>
internal sealed class ListLogger : ILogger<LineServer>
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _entries.Add(new LogEntry(logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}
