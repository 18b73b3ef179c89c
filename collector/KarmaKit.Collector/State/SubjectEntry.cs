using System.Runtime.CompilerServices;

namespace KarmaKit.Collector.State;

/// <summary>
/// One subject's state, 64 bytes, stored by value in chunks of <see cref="SubjectStateStore"/> and written raw into
/// the snapshot (so a layout change needs a new snapshot version). Times are <see cref="StateTime"/> seconds.
/// <c>Reporter0</c> and the overflow block hold the distinct black reporters as <c>(lastSeen &lt;&lt; 32) | reporterId</c>.
/// </summary>
internal struct SubjectEntry
{
    public const int Size = 64;

    public ulong KeyHigh;
    public ulong KeyLow;

    /// <summary>Seqlock: odd while the writer changes the entry.</summary>
    public uint Version;
    public uint FirstBlack;
    public uint LastBlack;
    public uint LastWhite;
    public uint BlackCount;
    public uint WhiteCount;

    /// <summary>Interned reason of the black report with the latest sighting; 0 none.</summary>
    public int BlackReason;

    /// <summary>Interned reason of the latest white report; 0 none.</summary>
    public int WhiteReason;
    public ushort WhiteReporter;

    /// <summary>Distinct black reporters held (inline and overflow), at most <see cref="SubjectStateStore.MaxReporters"/>.</summary>
    public ushort ReporterCount;

    /// <summary>Overflow block of the other reporters: size class (3, 7 or 15 slots) in the top bits, block number + 1 below; 0 none.</summary>
    public int Overflow;
    public ulong Reporter0;
}

/// <summary>Up to <see cref="SubjectStateStore.MaxReporters"/> packed reporter slots, copied out for a reader.</summary>
[InlineArray(SubjectStateStore.MaxReporters)]
internal struct ReporterSlots
{
    private ulong _slot;
}
