using System.Text.Json;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// The last two distinct time strings of a batch and what they parsed to: a report's first and last, and the reports
/// of one batch, often carry the very same text, and comparing 24 bytes is cheaper than parsing an ISO 8601 time.
/// Same bytes, same value, so the result is the one <see cref="Utf8JsonReader.TryGetDateTime"/> gives.
/// </summary>
internal struct JsonTimeCache
{
    private const int MaxCached = 40;

    private byte[]? _text0;
    private byte[]? _text1;
    private int _length0;
    private int _length1;
    private DateTime _value0;
    private DateTime _value1;
    private bool _replaceFirst;

    /// <summary>The reader's current string as a DateTime, as <see cref="Utf8JsonReader.TryGetDateTime"/> reads it.</summary>
    public bool TryGet(ref Utf8JsonReader reader, out DateTime value)
    {
        var raw = reader.ValueSpan;
        if (reader.ValueIsEscaped || raw.Length > MaxCached)
        {
            return reader.TryGetDateTime(out value);
        }

        if (_text0 is not null && raw.SequenceEqual(_text0.AsSpan(0, _length0)))
        {
            value = _value0;
            return true;
        }

        if (_text1 is not null && raw.SequenceEqual(_text1.AsSpan(0, _length1)))
        {
            value = _value1;
            return true;
        }

        if (!reader.TryGetDateTime(out value))
        {
            return false;
        }

        if (_replaceFirst)
        {
            raw.CopyTo(_text0 ??= new byte[MaxCached]);
            (_length0, _value0) = (raw.Length, value);
        }
        else
        {
            raw.CopyTo(_text1 ??= new byte[MaxCached]);
            (_length1, _value1) = (raw.Length, value);
        }

        _replaceFirst = !_replaceFirst;
        return true;
    }
}
