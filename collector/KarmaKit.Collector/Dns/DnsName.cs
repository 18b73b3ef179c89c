using System.Text;

namespace KarmaKit.Collector.Dns;

/// <summary>Configured domain names in wire form (length-prefixed labels and the root byte), checked once at start.</summary>
internal static class DnsName
{
    public const int MaxLength = 255;
    public const int MaxLabelLength = 63;

    /// <summary>
    /// Encodes a dotted name (a trailing dot is allowed) of letters, digits, '-' and '_' in lower case;
    /// false when a label is empty or longer than 63 bytes, or the name is longer than 255.
    /// </summary>
    public static bool TryEncode(string text, out byte[] wire) => TryEncode(null, text, out wire);

    /// <summary>Encodes an SOA RNAME: <c>user@example.org</c> (the user becomes one label and may hold dots) or a dotted name.</summary>
    public static bool TryEncodeMailbox(string text, out byte[] wire)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? TryEncode(text, out wire) : TryEncode(text[..at], text[(at + 1)..], out wire);
    }

    /// <summary>The labels of a wire name, as offsets of their length bytes (the root byte not included).</summary>
    public static List<int> LabelOffsets(ReadOnlySpan<byte> wire)
    {
        var offsets = new List<int>();
        for (var i = 0; wire[i] != 0; i += wire[i] + 1)
        {
            offsets.Add(i);
        }

        return offsets;
    }

    /// <summary>ASCII case-insensitive comparison of two label contents.</summary>
    public static bool LabelEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => Ascii.EqualsIgnoreCase(a, b);

    /// <summary>
    /// Dotted text of a wire name (no compression), for logs and tests; a byte that is not printable ASCII, a dot or a
    /// backslash inside a label is written \DDD (RFC 1035 §5.1), so a name from the network cannot forge log lines.
    /// </summary>
    public static string ToText(ReadOnlySpan<byte> wire)
    {
        var text = new StringBuilder();
        for (var i = 0; wire[i] != 0; i += wire[i] + 1)
        {
            foreach (var b in wire.Slice(i + 1, wire[i]))
            {
                if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\')
                {
                    text.Append((char)b);
                }
                else
                {
                    text.Append('\\').Append(((int)b).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            text.Append('.');
        }

        return text.Length == 0 ? "." : text.ToString();
    }

    private static bool TryEncode(string? firstLabel, string text, out byte[] wire)
    {
        wire = [];
        text = text.EndsWith('.') ? text[..^1] : text;
        var labels = new List<string>();
        if (firstLabel is not null)
        {
            if (firstLabel.Length == 0 || firstLabel.Any(c => c <= ' ' || c >= 127))
            {
                return false;
            }

            labels.Add(firstLabel);
        }

        if (text.Length > 0)
        {
            foreach (var label in text.Split('.'))
            {
                if (label.Length == 0 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                {
                    return false;
                }

                labels.Add(label.ToLowerInvariant());
            }
        }

        var bytes = new List<byte>();
        foreach (var label in labels)
        {
            if (label.Length > MaxLabelLength)
            {
                return false;
            }

            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        if (bytes.Count > MaxLength)
        {
            return false;
        }

        wire = [.. bytes];
        return true;
    }
}
