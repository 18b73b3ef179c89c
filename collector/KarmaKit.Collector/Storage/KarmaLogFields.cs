namespace KarmaKit.Collector.Storage;

/// <summary>
/// Walks the <c>key=value</c> fields that follow a karma.log line's fixed fields, for every kind of line (reports and
/// operator actions): <see cref="MoveNext"/> stops on each plain field; the quoted <c>reason</c>, which must come last,
/// is decoded into <see cref="Reason"/>. A field without a key, a value holding a quote, anything after the reason or a
/// reason that does not decode sets <see cref="Malformed"/>.
/// </summary>
internal ref struct KarmaLogFields(ReadOnlySpan<byte> rest)
{
    private ReadOnlySpan<byte> _rest = rest;

    public ReadOnlySpan<byte> Key { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    public string? Reason { get; private set; }

    public bool Malformed { get; private set; }

    /// <summary>The next plain field in <see cref="Key"/> and <see cref="Value"/>; false at the end or when malformed.</summary>
    public bool MoveNext()
    {
        while (!_rest.IsEmpty)
        {
            var eq = _rest.IndexOf((byte)'=');
            if (Reason is not null || eq <= 0)
            {
                return Fail(); // the reason is the last field; every field has a key
            }

            var key = _rest[..eq];
            _rest = _rest[(eq + 1)..];
            if (key.SequenceEqual("reason"u8))
            {
                if (!KarmaLogParser.TryUnquote(ref _rest, out var reason))
                {
                    return Fail();
                }

                Reason = reason;
                continue;
            }

            var value = KarmaLogParser.NextField(ref _rest);
            if (value.IndexOf((byte)'"') >= 0)
            {
                return Fail(); // no known value holds a quote, and an unknown field must be a plain token
            }

            Key = key;
            Value = value;
            return true;
        }

        return false;
    }

    private bool Fail()
    {
        Malformed = true;
        return false;
    }
}
