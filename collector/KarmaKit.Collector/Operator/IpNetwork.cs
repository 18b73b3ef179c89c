using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Operator;

/// <summary>
/// An address or a CIDR network in <see cref="IpSubject"/>'s 128-bit space (IPv4 inside ::ffff:0:0/96, so an IPv4 /24
/// has <see cref="Length"/> 120). Text: the canonical address, with <c>/LENGTH</c> (IPv4 lengths 0–32) unless it is a
/// single address. Host bits are cleared on parsing: <c>192.0.2.7/24</c> is <c>192.0.2.0/24</c>.
/// </summary>
internal readonly record struct IpNetwork(UInt128 Prefix, int Length)
{
    /// <summary>Longest text: an IPv6 address and <c>/128</c>.</summary>
    public const int MaxTextLength = IpSubject.MaxTextLength + 4;

    public IpSubject Address => IpSubject.FromIPv6(Prefix);

    public bool IsIPv4 => Length >= 96 && Address.IsIPv4;

    /// <summary>One address (an IPv4 /32 or an IPv6 /128).</summary>
    public bool IsSingle => Length == 128;

    /// <summary>The prefix length as written: 0–32 for IPv4, 0–128 for IPv6.</summary>
    public int TextLength => IsIPv4 ? Length - 96 : Length;

    public static IpNetwork Single(IpSubject subject) => new(subject.Value, 128);

    public bool Contains(UInt128 address) => (address & Listing.Prefix.Mask(Length)) == Prefix;

    public static bool TryParse(ReadOnlySpan<byte> text, out IpNetwork network)
    {
        Span<char> chars = stackalloc char[64];
        network = default;
        if (text.Length > chars.Length || System.Text.Ascii.ToUtf16(text, chars, out var n) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        return TryParse(chars[..n], out network);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out IpNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        if (!IpSubject.TryParse(slash < 0 ? text : text[..slash], out var subject))
        {
            return false;
        }

        var bits = subject.IsIPv4 ? 32 : 128;
        var given = bits;
        if (slash >= 0)
        {
            var digits = text[(slash + 1)..];
            if (digits.IsEmpty || digits.Length > 3 || digits.ContainsAnyExceptInRange('0', '9')
                || !int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out given) || given > bits)
            {
                return false;
            }
        }

        var length = subject.IsIPv4 ? 96 + given : given;
        network = new IpNetwork(subject.Value & Listing.Prefix.Mask(length), length);
        return true;
    }

    public override string ToString() => IsSingle ? Address.ToString() : $"{Address}/{TextLength}";
}
