namespace KarmaKit.Collector.Dns;

/// <summary>
/// One served zone, compiled at start: the apex labels to match query names against, and the SOA and NS names
/// pre-split for compression: each is written as its own leading labels plus a pointer to the longest suffix it shares
/// with the apex, which every response already carries in its question.
/// </summary>
internal sealed class DnsZone
{
    public DnsZone(DnsList list, byte[] apex, byte[] mname, byte[] rname, IReadOnlyList<byte[]> ns)
    {
        List = list;
        Apex = apex;
        var offsets = DnsName.LabelOffsets(apex);
        Labels = [.. offsets.Select(o => apex.AsSpan(o + 1, apex[o]).ToArray())];
        Mname = Compress(mname);
        Rname = Compress(rname);
        Ns = [.. ns.Select(Compress)];
    }

    public DnsList List { get; }

    /// <summary>The apex in wire form, lower case.</summary>
    public byte[] Apex { get; }

    /// <summary>The apex labels, first (leftmost) first.</summary>
    public byte[][] Labels { get; }

    public CompressibleName Mname { get; }

    public CompressibleName Rname { get; }

    public CompressibleName[] Ns { get; }

    private CompressibleName Compress(byte[] wire)
    {
        var offsets = DnsName.LabelOffsets(wire);
        for (var i = 0; i < offsets.Count; i++)
        {
            var suffixLabels = offsets.Count - i;
            var zoneLabel = Labels.Length - suffixLabels;
            if (zoneLabel < 0 || !SuffixEquals(wire, offsets, i, zoneLabel))
            {
                continue;
            }

            return new CompressibleName(wire[..offsets[i]], zoneLabel);
        }

        return new CompressibleName(wire, -1);
    }

    private bool SuffixEquals(byte[] wire, List<int> offsets, int from, int zoneLabel)
    {
        for (var k = from; k < offsets.Count; k++, zoneLabel++)
        {
            if (!DnsName.LabelEquals(wire.AsSpan(offsets[k] + 1, wire[offsets[k]]), Labels[zoneLabel]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// A name to write with compression: <see cref="Prefix"/> (its own labels, or the whole name with the root byte when
/// <see cref="ZoneLabel"/> is -1) followed by a pointer to apex label <see cref="ZoneLabel"/> in the question.
/// </summary>
internal sealed record CompressibleName(byte[] Prefix, int ZoneLabel);
