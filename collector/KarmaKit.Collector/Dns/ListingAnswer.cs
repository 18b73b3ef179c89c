namespace KarmaKit.Collector.Dns;

/// <summary>
/// What a listed name answers: the A record's return code, an address in 127.0.0.0/8 (RFC 5782 §2.1: never a real
/// address), and the reason that goes into the TXT record through <c>Collector:Dns:TxtTemplate</c>. Share one instance
/// of the reason string between entries with the same reason: the index holds a reference, the server encodes it per
/// query without allocating.
/// </summary>
internal readonly struct ListingAnswer : IEquatable<ListingAnswer>
{
    /// <summary>127.0.0.2, the conventional "listed".</summary>
    public const uint DefaultCode = 0x7F00_0002;

    /// <summary>The return code for an entry with no more specific class.</summary>
    public static readonly ListingAnswer Listed = new(DefaultCode, "listed");

    /// <summary>The RFC 5782 §5 test entry's answer when the engine has none of its own.</summary>
    public static readonly ListingAnswer TestEntry = new(DefaultCode, "RFC 5782 test entry");

    /// <param name="code">The A record as a big-endian IPv4 number, within 127.0.0.0/8.</param>
    /// <param name="reason">Printable text, at most 200 characters kept in the TXT.</param>
    public ListingAnswer(uint code, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(code >> 24, 127u, nameof(code));
        ArgumentNullException.ThrowIfNull(reason);
        Code = code;
        Reason = reason;
    }

    /// <summary>The A record's address as a big-endian number, 127.0.0.0/8.</summary>
    public uint Code { get; }

    /// <summary>Why the subject is listed; <c>{reason}</c> in the TXT template.</summary>
    public string Reason { get; }

    /// <summary>Whether this answer is set (default instances are not).</summary>
    public bool IsValid => Reason is not null;

    /// <summary>The answer for return code 127.0.0.<paramref name="last"/>.</summary>
    public static ListingAnswer FromLastOctet(byte last, string reason) => new(0x7F00_0000u | last, reason);

    public bool Equals(ListingAnswer other) => Code == other.Code && string.Equals(Reason, other.Reason, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ListingAnswer other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Code, Reason);

    public static bool operator ==(ListingAnswer left, ListingAnswer right) => left.Equals(right);

    public static bool operator !=(ListingAnswer left, ListingAnswer right) => !left.Equals(right);
}
