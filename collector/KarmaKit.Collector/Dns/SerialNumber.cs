namespace KarmaKit.Collector.Dns;

/// <summary>RFC 1982 serial number arithmetic on 32-bit SOA serials: order that survives the wrap past 2^32.</summary>
internal static class SerialNumber
{
    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/>.</summary>
    public static bool IsBefore(uint a, uint b) => a != b && unchecked((int)(a - b)) < 0;

    /// <summary>Whether <paramref name="a"/> comes after <paramref name="b"/>.</summary>
    public static bool IsAfter(uint a, uint b) => IsBefore(b, a);
}
