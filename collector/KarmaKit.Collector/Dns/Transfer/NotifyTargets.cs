using System.Net;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary><c>Collector:Dns:Notify</c>: the secondaries to NOTIFY, as <c>IP</c>, <c>IP:PORT</c> or <c>[IPv6]:PORT</c>.</summary>
internal static class NotifyTargets
{
    public const int DefaultPort = 53;

    /// <summary>Parses the list; the invalid item in <paramref name="bad"/>.</summary>
    public static bool TryParse(string text, out IPEndPoint[] targets, out string bad)
    {
        var list = new List<IPEndPoint>();
        foreach (var item in DnsOptionsValidator.SplitNames(text))
        {
            if (IPAddress.TryParse(item, out var address) && !item.StartsWith('['))
            {
                list.Add(new IPEndPoint(address, DefaultPort));
            }
            else if (DnsOptionsValidator.TryParseListen(item, out var endpoint) && endpoint.Port != 0)
            {
                list.Add(endpoint);
            }
            else
            {
                targets = [];
                bad = item;
                return false;
            }
        }

        targets = [.. list];
        bad = "";
        return true;
    }
}
