using System.Collections.Concurrent;
using System.Text;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Configuration;
using KarmaKit.Reporter.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KarmaKit.Reporter.Tests.Spool;

/// <summary>A spool directory under the temp folder, removed after the test, and helpers to open and fill it.</summary>
internal sealed class TempSpool : IDisposable
{
    public TempSpool()
    {
        Directory = Path.Combine(Path.GetTempPath(), "karmakit-spool-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 17, 18, 58, 123, TimeSpan.Zero));

    public ListLogger<SpoolJournal> Logger { get; } = new();

    public JournalOptions Options { get; set; } = new() { SegmentBytes = 64 * 1024, MaxBytes = 1L << 20 };

    public string Journal => Path.Combine(Directory, "journal");

    public string Torn => Path.Combine(Directory, "torn");

    public SpoolJournal Open() => new(Directory, Options, Time, Logger);

    public string[] Segments() => [.. System.IO.Directory.GetFiles(Journal, "*.seg").Order(StringComparer.Ordinal)];

    public static SpoolEntry Entry(string subject, string? reason = null, Verb verb = Verb.Black) =>
        new(verb, IpSubject.Parse(subject), reason is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(reason));

    public static async Task<long> AppendAsync(SpoolJournal sut, params SpoolEntry[] entries)
    {
        var result = await sut.AppendAsync(entries, CancellationToken.None);
        Assert.Equal(AppendStatus.Ok, result.Status);
        return result.FirstSequence;
    }

    /// <summary>Appends <paramref name="count"/> single reports 10.0.0.1, 10.0.0.2, ... one after another.</summary>
    public static async Task AppendManyAsync(SpoolJournal sut, int count, string reason = "spam score=12.3")
    {
        for (var i = 1; i <= count; i++)
        {
            await AppendAsync(sut, Entry($"10.0.{i / 256}.{i % 256}", reason));
        }
    }

    public static List<SpoolRecord> ReadAll(ISpoolQueue sut, long after = 0)
    {
        var records = new List<SpoolRecord>();
        while (sut.Read(after, long.MaxValue, 7, records) > 0)
        {
            after = records[^1].Sequence;
        }

        return records;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a test that failed may still hold a file open.
        }
    }
}

/// <summary>Keeps every log entry so tests can check the loud lines.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));

    public int Count(int eventId) => Entries.Count(e => e.Id.Id == eventId);
}
