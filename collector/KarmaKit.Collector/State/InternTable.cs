using System.Text;

namespace KarmaKit.Collector.State;

/// <summary>
/// Strings (reporter names, reasons) interned to small ids so that subject entries hold ids, never strings. Id 0 is
/// "none". One writer; readers may call the indexer for ids they read from an entry at any time.
/// </summary>
internal sealed class InternTable
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string[] _texts = new string[16];
    private int _count = 1;

    public InternTable(StringComparer comparer, int maxCount)
    {
        _ids = new Dictionary<string, int>(comparer);
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        MaxCount = maxCount;
        _texts[0] = "";
    }

    /// <summary>Most strings kept; past it <see cref="GetOrAdd(ReadOnlySpan{char})"/> finds known ones only and answers 0 otherwise.</summary>
    public int MaxCount { get; }

    /// <summary>Strings interned (id 0 not counted).</summary>
    public int Count => Volatile.Read(ref _count) - 1;

    /// <summary>The text of an id ("" for 0).</summary>
    public string this[int id] => Volatile.Read(ref _texts)[id];

    public int GetOrAdd(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        if (_lookup.TryGetValue(text, out var id))
        {
            return id;
        }

        return _count > MaxCount ? 0 : Add(text.ToString());
    }

    /// <summary>Interns UTF-8 text (invalid sequences become U+FFFD, as decoding always does).</summary>
    public int GetOrAddUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 1024)
        {
            return GetOrAdd(Encoding.UTF8.GetString(utf8));
        }

        Span<char> chars = stackalloc char[utf8.Length];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        return GetOrAdd(chars[..n]);
    }

    /// <summary>The id of a known text, or 0.</summary>
    public int Find(ReadOnlySpan<char> text) => _lookup.TryGetValue(text, out var id) ? id : 0;

    private int Add(string text)
    {
        var id = _count;
        var texts = _texts;
        if (id == texts.Length)
        {
            Array.Resize(ref texts, texts.Length * 2);
        }

        texts[id] = text;
        Volatile.Write(ref _texts, texts);
        _ids.Add(text, id);
        Volatile.Write(ref _count, id + 1);
        return id;
    }
}
