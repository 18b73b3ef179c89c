using System.Text;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// The reasons of one batch as strings, one string per distinct reason: a reporter sends the same few reasons
/// ("virus X", "spam") over and over, so a batch of 500 costs a handful of strings instead of 500. Holds the last
/// <see cref="Slots"/> distinct reasons; past that, a reason is decoded each time it is seen (no unbounded growth).
/// </summary>
internal struct ReasonCache
{
    private const int Slots = 8;

    private (byte[] Utf8, string Text)[]? _entries;
    private int _next;

    /// <summary>The string of these (valid UTF-8) bytes, shared with earlier identical reasons.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        _entries ??= new (byte[], string)[Slots];
        foreach (var (bytes, text) in _entries)
        {
            if (bytes is null)
            {
                break;
            }

            if (utf8.SequenceEqual(bytes))
            {
                return text;
            }
        }

        var fresh = Encoding.UTF8.GetString(utf8);
        _entries[_next] = (utf8.ToArray(), fresh);
        _next = (_next + 1) % Slots;
        return fresh;
    }
}
