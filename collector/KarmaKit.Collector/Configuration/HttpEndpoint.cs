using System.Net;

namespace KarmaKit.Collector.Configuration;

/// <summary>The parsed <c>Collector:Http</c>: scheme, a literal address (or localhost) and a port (0 picks one).</summary>
internal readonly record struct HttpEndpoint(bool Https, IPAddress? Address, int Port)
{
    /// <summary>True for <c>localhost</c> (both loopbacks).</summary>
    public bool IsLocalhost => Address is null;

    public bool IsLoopback => Address is null || IPAddress.IsLoopback(Address);

    public static bool TryParse(string? text, out HttpEndpoint endpoint)
    {
        endpoint = default;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return false;
        }

        IPAddress? address;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            address = IPAddress.Parse(uri.Host.Trim('[', ']'));
        }
        else if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = null;
        }
        else
        {
            return false;
        }

        endpoint = new HttpEndpoint(uri.Scheme == Uri.UriSchemeHttps, address, uri.Port);
        return true;
    }
}
