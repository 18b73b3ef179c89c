namespace KarmaKit.Collector.Metrics;

/// <summary>
/// A Prometheus histogram with fixed upper bounds: one <see cref="Interlocked"/> add per observation into the bucket
/// that holds it (cumulated only when scraped), no allocation. Safe for any number of observers and scrapers; a
/// scrape may see an observation in the count a moment before it is in the sum, which Prometheus tolerates.
/// </summary>
internal sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _buckets;
    private long _sumBits;
    private long _count;

    /// <param name="bounds">Upper bounds, ascending; +Inf is implied.</param>
    public Histogram(params double[] bounds)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bounds.Length);
        for (var i = 1; i < bounds.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bounds[i], bounds[i - 1], nameof(bounds));
        }

        _bounds = bounds;
        _buckets = new long[bounds.Length + 1];
    }

    public ReadOnlySpan<double> Bounds => _bounds;

    public long Count => Interlocked.Read(ref _count);

    public double Sum => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));

    public void Observe(double value)
    {
        var i = 0;
        while (i < _bounds.Length && value > _bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _buckets[i]);
        long seen, next;
        do
        {
            seen = Interlocked.Read(ref _sumBits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
        }
        while (Interlocked.CompareExchange(ref _sumBits, next, seen) != seen);

        Interlocked.Increment(ref _count);
    }

    /// <summary>Observations at or below <see cref="Bounds"/>[<paramref name="index"/>]; index = Bounds.Length is +Inf.</summary>
    public long Cumulative(int index)
    {
        long total = 0;
        for (var i = 0; i <= index; i++)
        {
            total += Interlocked.Read(ref _buckets[i]);
        }

        return total;
    }
}
