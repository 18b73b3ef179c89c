using KarmaKit.Protocol;
using KarmaKit.Protocol.Subjects;
using KarmaKit.Reporter.Spool;

namespace KarmaKit.Reporter.Tests.Shipping;

/// <summary>Spool records for the shipper tests.</summary>
internal static class Records
{
    public static readonly DateTime Epoch = new(2026, 11, 26, 17, 18, 58, 123, DateTimeKind.Utc);

    public static SpoolRecord Black(long sequence, string subject = "192.0.2.1", string? reason = "virus Eicar", DateTime? received = null) =>
        new(sequence, received ?? Epoch.AddMilliseconds(sequence), Verb.Black, IpSubject.Parse(subject), reason);

    /// <summary>A record whose subject encodes its sequence (10.x.y.z), so the collector can tell records apart.</summary>
    public static SpoolRecord Unique(long sequence, DateTime? received = null) =>
        Black(sequence, SubjectOf(sequence), "spam", received);

    public static string SubjectOf(long sequence) => $"10.{(sequence >> 16) & 255}.{(sequence >> 8) & 255}.{sequence & 255}";

    public static IEnumerable<SpoolRecord> Range(long first, long last, Func<long, SpoolRecord>? make = null)
    {
        for (var s = first; s <= last; s++)
        {
            yield return (make ?? (q => Unique(q)))(s);
        }
    }
}
