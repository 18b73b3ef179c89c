using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.State;

/// <summary>A reader's consistent copy of one subject's state (no allocation). Names and reasons are ids into the store's tables.</summary>
internal readonly struct SubjectState
{
    private readonly SubjectEntry _entry;
    private readonly ReporterSlots _reporters;

    internal SubjectState(in SubjectEntry entry, in ReporterSlots reporters)
    {
        _entry = entry;
        _reporters = reporters;
    }

    public IpSubject Subject => IpSubject.FromIPv6(new UInt128(_entry.KeyHigh, _entry.KeyLow));

    public DateTime? FirstBlack => StateTime.ToDateTime(_entry.FirstBlack);

    public DateTime? LastBlack => StateTime.ToDateTime(_entry.LastBlack);

    public DateTime? LastWhite => StateTime.ToDateTime(_entry.LastWhite);

    /// <summary>Sum of the <c>count</c> of the black reports (saturating).</summary>
    public uint BlackCount => _entry.BlackCount;

    public uint WhiteCount => _entry.WhiteCount;

    /// <summary>Reason id of the black report with the latest sighting (0: none).</summary>
    public int BlackReasonId => _entry.BlackReason;

    public int WhiteReasonId => _entry.WhiteReason;

    /// <summary>Reporter id of the latest white report (0: none).</summary>
    public int WhiteReporterId => _entry.WhiteReporter;

    /// <summary>Distinct black reporters held, the most recent <see cref="SubjectStateStore.MaxReporters"/>.</summary>
    public int ReporterCount => _entry.ReporterCount;

    /// <summary>The i-th black reporter (in no particular order) and its last sighting of the subject.</summary>
    public (int ReporterId, DateTime LastSeen) Reporter(int i)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)ReporterCount, nameof(i));
        var slot = _reporters[i];
        return ((ushort)slot, StateTime.ToDateTime((uint)(slot >> 32))!.Value);
    }

    /// <summary>Distinct black reporters whose last sighting is at or after <paramref name="since"/> (the DNSBL window).</summary>
    public int ReportersSince(DateTime since)
    {
        var cutoff = StateTime.FromDateTime(since);
        var n = 0;
        for (var i = 0; i < ReporterCount; i++)
        {
            n += (uint)(_reporters[i] >> 32) >= cutoff ? 1 : 0;
        }

        return n;
    }
}
