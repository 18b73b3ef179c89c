using System.Net;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// <c>Collector:Dns:Transfer:Allow</c> compiled: the networks whose clients may transfer a zone. An IPv4 client seen
/// through a dual-mode socket (<c>::ffff:192.0.2.1</c>) is matched as IPv4.
/// </summary>
internal sealed class TransferAllowList
{
    private readonly IPNetwork[] _networks;

    private TransferAllowList(IPNetwork[] networks) => _networks = networks;

    public static TransferAllowList Empty { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Parses CIDRs (<c>192.0.2.0/24</c>, <c>2001:db8::/32</c>) and single addresses, separated by commas or spaces; the invalid one in <paramref name="bad"/>.</summary>
    public static bool TryParse(string text, out TransferAllowList list, out string bad)
    {
        var networks = new List<IPNetwork>();
        foreach (var item in DnsOptionsValidator.SplitNames(text))
        {
            // IPNetwork masks host bits away; 10.0.0.1/8 is more likely a typo than a wish for all of 10/8.
            var slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPNetwork.TryParse(item, out var network) && network.BaseAddress.Equals(IPAddress.Parse(item[..slash])))
            {
                networks.Add(network);
            }
            else if (slash < 0 && IPAddress.TryParse(item, out var address))
            {
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                list = Empty;
                bad = item;
                return false;
            }
        }

        list = new TransferAllowList([.. networks]);
        bad = "";
        return true;
    }

    public bool Allows(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }
}
