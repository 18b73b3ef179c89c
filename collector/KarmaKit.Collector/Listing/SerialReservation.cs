using System.Globalization;
using System.Text;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Storage;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// Keeps the lists' SOA serials from going backwards across a restart, which would make every secondary ignore the
/// collector until the zone expires. Serials start at the Unix time and grow by one a publication, so under a steady
/// report stream they run ahead of the clock. The highest serial that may be issued is reserved in
/// <c>{Collector:Data}/serial</c> a block at a time (one small atomic write every <see cref="Block"/>/2 publications);
/// a start begins at the later of the clock and that reservation, past every serial a previous run published.
/// Comparisons use RFC 1982 serial arithmetic. Writer side only (the engine's writer lock).
/// </summary>
internal sealed class SerialReservation
{
    /// <summary>Serials reserved at a time: a restart jumps ahead by at most this many.</summary>
    public const uint Block = 100_000;

    private readonly string? _path;
    private readonly ILogger _logger;
    private uint _reserved;
    private bool _warned;

    public SerialReservation(CollectorOptions options, ILogger<SerialReservation> logger)
        : this(Path.Combine(options.Data, "serial"), logger)
    {
    }

    /// <param name="path">The reservation file; null keeps it in memory (benchmarks).</param>
    internal SerialReservation(string? path, ILogger logger)
    {
        _path = path;
        _logger = logger;
    }

    /// <summary>The first serial of this run, at or after <paramref name="clock"/> and past every reserved serial.</summary>
    public uint Start(uint clock)
    {
        var start = clock;
        if (_path is not null && File.Exists(_path))
        {
            if (uint.TryParse(File.ReadAllText(_path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var reserved))
            {
                start = SerialNumber.IsAfter(reserved, clock) ? reserved : clock;
            }
            else
            {
                _logger.SerialReservationUnreadable(_path);
            }
        }

        _reserved = start; // nothing beyond the start is reserved until the write below succeeds
        Reserve(start);
        return start;
    }

    /// <summary>
    /// Called with each published serial, before it is visible: reserves the next block when half of this one is used,
    /// and after a failed write tries again at every publication until one succeeds.
    /// </summary>
    public void Cover(uint serial)
    {
        if (!SerialNumber.IsAfter(unchecked(_reserved - (Block / 2)), serial))
        {
            Reserve(serial);
        }
    }

    private void Reserve(uint from)
    {
        var next = unchecked(from + Block);
        if (_path is null)
        {
            _reserved = next;
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var text = next.ToString(CultureInfo.InvariantCulture) + "\n";
            AtomicFile.Write(_path, Encoding.ASCII.GetBytes(text));
            _reserved = next;
            _warned = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Serving goes on; only a restart before the next successful write could reuse serials.
            if (!_warned)
            {
                _warned = true;
                _logger.SerialReservationFailed(ex, _path);
            }
        }
    }
}
