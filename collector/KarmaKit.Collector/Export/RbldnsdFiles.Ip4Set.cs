using KarmaKit.Collector.Dns;
using KarmaKit.Collector.Zones;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Export;

/// <summary>The ip4set: IPv4 entries, most of them grouped under a default line per answer.</summary>
internal static partial class RbldnsdFiles
{
    /// <summary>
    /// Writes the ip4set; returns how many TXT rbldnsd cannot give back exactly (see <see cref="IsExact"/>). With a
    /// base template (<see cref="RbldnsdTemplate"/>), single addresses whose reason rbldnsd keeps and whose TXT fits
    /// are grouped under one default line per answer; the others carry their literal text.
    /// </summary>
    public static int WriteIp4Set(ZoneSnapshot zone, ExportZone export, ZoneExportSettings settings, ZoneTextWriter w)
    {
        WriteHeader(zone, export, settings, "ip4set", w);
        var template = settings.Rbldnsd;
        if (template is not null)
        {
            w.Write(template.Line);
        }

        w.Write(TestExclusion);
        var inexact = 0;
        var groups = new Dictionary<ListingAnswer, Group>();
        Span<byte> address = stackalloc byte[IpSubject.MaxTextLength];
        foreach (var entry in zone.Entries)
        {
            if (!entry.Network.IsIPv4)
            {
                continue;
            }

            if (template is not null && entry.IsSingle)
            {
                if (!groups.TryGetValue(entry.Answer, out var group))
                {
                    group = new Group(RbldnsdTemplate.Keeps(entry.Answer.Reason) ? System.Text.Encoding.UTF8.GetByteCount(entry.Answer.Reason) : -1);
                    groups[entry.Answer] = group;
                }

                entry.Network.TryFormat(address, out var length);
                if (group.ReasonBytes >= 0 && template.Length(group.ReasonBytes, length) <= MaxTxt)
                {
                    group.Addresses.Add(entry.Network.IPv4Value);
                    continue;
                }
            }

            var line = w.GetSpan();
            entry.Network.TryFormat(line, out var n);
            if (!entry.IsSingle)
            {
                n += Cidr(line[n..], entry.PrefixLength);
            }

            inexact += Value(line, ref n, entry, entry.Network, settings.Dns.Txt);
            w.Advance(n);
        }

        foreach (var (answer, group) in groups)
        {
            if (group.Addresses.Count == 0)
            {
                continue;
            }

            var line = w.GetSpan();
            var n = 0;
            line[n++] = (byte)':';
            IpSubject.FromIPv4(answer.Code).TryFormat(line[n..], out var code);
            n += code;
            line[n++] = (byte)':';
            n += System.Text.Encoding.UTF8.GetBytes(answer.Reason, line[n..]);
            line[n++] = (byte)'\n';
            w.Advance(n);
            foreach (var value in group.Addresses)
            {
                line = w.GetSpan(IpSubject.MaxTextLength + 1);
                IpSubject.FromIPv4(value).TryFormat(line, out n);
                line[n++] = (byte)'\n';
                w.Advance(n);
            }
        }

        return inexact;
    }

    /// <summary>The addresses under one default line; <see cref="ReasonBytes"/> is -1 when rbldnsd would not keep the reason.</summary>
    private sealed record Group(int ReasonBytes)
    {
        public List<uint> Addresses { get; } = [];
    }
}
