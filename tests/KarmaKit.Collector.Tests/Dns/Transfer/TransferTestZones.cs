using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Dns.Transfer;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>Zones and transfers for the transfer tests: the blocklist zone alone, its messages run to the end and parsed.</summary>
internal static class TransferTestZones
{
    public static DnsSettings Settings(string txtTemplate = "{reason}") =>
        DnsSettings.Create(new DnsOptions { AllowZone = "", TxtTemplate = txtTemplate });

    /// <summary>A blocklist snapshot at <paramref name="serial"/> with the given entries (the test entry comes first anyway); IPv6 keys are /64.</summary>
    public static ZoneSnapshot Snapshot(uint serial, params (string Key, ListingAnswer Answer)[] entries) =>
        ZoneSnapshot.Capture(new ListingIndex(ListingSet.Build(entries.Select(e => new KeyValuePair<IpSubject, ListingAnswer>(IpSubject.Parse(e.Key), e.Answer))), [], [], entries.Length, serial), DnsList.Block, 64);

    /// <summary>Every message of the transfer, as bytes.</summary>
    public static List<byte[]> Messages(DnsSettings settings, ZoneSnapshot snapshot, int limit = 65535, bool soaOnly = false, ushort id = 0x1234, byte queryFlags = 0)
    {
        var sut = new ZoneTransferMessages(settings, settings.Zones[0], snapshot, soaOnly);
        var question = DnsPackets.Query(DnsTestZones.Bl, DnsWire.TypeAxfr)[12..];
        var buffer = new byte[65535];
        var messages = new List<byte[]>();
        for (var length = sut.Next(buffer, limit, question, id, queryFlags); length > 0; length = sut.Next(buffer, limit, question, id, queryFlags))
        {
            messages.Add(buffer[..length]);
        }

        return messages;
    }

    /// <summary>The records of all messages in order, as "name type text".</summary>
    public static List<string> Records(IEnumerable<byte[]> messages) =>
        [.. messages.SelectMany(m => DnsAnswer.Parse(m).Answers).Select(r => $"{r.Name} {r.Type} {r.Text}")];
}
