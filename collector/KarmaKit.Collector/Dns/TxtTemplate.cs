using System.Text;
using System.Text.Unicode;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Dns;

/// <summary>
/// <c>Collector:Dns:TxtTemplate</c> with <c>{url}</c> (<c>Collector:Dns:LookupUrl</c>) expanded, compiled into UTF-8
/// literals and the per-query fields <c>{reason}</c> and <c>{address}</c>, so a TXT is written straight into the
/// response without a string. The result is cut at 255 bytes (one character-string; many DNSBL clients read only the
/// first) on a UTF-8 character boundary.
/// </summary>
internal sealed class TxtTemplate
{
    public const int MaxLength = 255;

    private readonly Segment[] _segments;

    private TxtTemplate(Segment[] segments) => _segments = segments;

    private enum Field
    {
        Literal,
        Reason,
        Address,
    }

    public static TxtTemplate Compile(string template, string lookupUrl)
    {
        var text = template.Replace("{url}", lookupUrl, StringComparison.Ordinal);
        var segments = new List<Segment>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var field = Match(text, i, "{reason}") ? Field.Reason : Match(text, i, "{address}") ? Field.Address : Field.Literal;
            if (field == Field.Literal)
            {
                continue;
            }

            if (i > start)
            {
                segments.Add(new Segment(Field.Literal, Encoding.UTF8.GetBytes(text[start..i])));
            }

            segments.Add(new Segment(field, []));
            i += field == Field.Reason ? "{reason}".Length - 1 : "{address}".Length - 1;
            start = i + 1;
        }

        if (start < text.Length)
        {
            segments.Add(new Segment(Field.Literal, Encoding.UTF8.GetBytes(text[start..])));
        }

        return new TxtTemplate([.. segments]);
    }

    /// <summary>Writes the TXT text (without its length byte) into <paramref name="destination"/>; returns its length, at most 255.</summary>
    public int Write(Span<byte> destination, string reason, IpSubject subject)
    {
        var limit = Math.Min(MaxLength, destination.Length);
        var output = destination[..limit];
        var written = 0;
        Span<byte> address = stackalloc byte[IpSubject.MaxTextLength];
        foreach (var segment in _segments)
        {
            var free = output[written..];
            switch (segment.Kind)
            {
                case Field.Reason:
                    Utf8.FromUtf16(reason, free, out _, out var n, replaceInvalidSequences: true, isFinalBlock: true);
                    written += n;
                    break;
                case Field.Address:
                    subject.TryFormat(address, out var length);
                    written += CopyWhole(address[..length], free);
                    break;
                default:
                    written += CopyWhole(segment.Bytes, free);
                    break;
            }
        }

        return written;
    }

    /// <summary>The TXT text for an entry, as <see cref="Write"/> gives it, for zone files and transfers.</summary>
    public byte[] Render(string reason, IpSubject subject)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return text[..Write(text, reason, subject)].ToArray();
    }

    private static bool Match(string text, int index, string field) => string.CompareOrdinal(text, index, field, 0, field.Length) == 0;

    /// <summary>Copies as much of <paramref name="source"/> as fits, never ending inside a UTF-8 sequence.</summary>
    private static int CopyWhole(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length <= destination.Length)
        {
            source.CopyTo(destination);
            return source.Length;
        }

        var n = destination.Length;
        while (n > 0 && (source[n] & 0xC0) == 0x80)
        {
            n--;
        }

        source[..n].CopyTo(destination);
        return n;
    }

    private readonly record struct Segment(Field Kind, byte[] Bytes);
}
