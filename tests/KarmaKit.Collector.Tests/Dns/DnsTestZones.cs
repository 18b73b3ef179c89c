using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Tests.Dns;

/// <summary>The listing and responder the wire tests share: the test entries plus a few documentation addresses.</summary>
internal static class DnsTestZones
{
    public const string Bl = "bl.karmakit.test";
    public const string Wl = "wl.karmakit.test";

    /// <summary>192.0.2.99, listed with 127.0.0.3 "virus Eicar" (RFC 5782's example address).</summary>
    public static readonly IpSubject Virus = IpSubject.Parse("192.0.2.99");

    /// <summary>2001:db8:1:2:3:4:567:89ab, listed (RFC 5782 §2.4's example).</summary>
    public static readonly IpSubject V6 = IpSubject.Parse("2001:db8:1:2:3:4:567:89ab");

    /// <summary>198.51.100.7 on the allowlist only.</summary>
    public static readonly IpSubject Allowed = IpSubject.Parse("198.51.100.7");

    public static StaticListing Listing(uint serial = 2026112701) => new(
        [.. StaticListing.TestEntries, new(Virus, ListingAnswer.FromLastOctet(3, "virus Eicar")), new(V6, ListingAnswer.Listed)],
        [.. StaticListing.TestEntries, new(Allowed, new ListingAnswer(ListingAnswer.DefaultCode, "white"))],
        serial);

    public static DnsResponder Responder(Action<DnsOptions>? configure = null, IDnsListing? listing = null)
    {
        var options = new DnsOptions();
        configure?.Invoke(options);
        var errors = new List<string>();
        DnsOptionsValidator.Collect(options, (ok, key, rule) =>
        {
            if (!ok)
            {
                errors.Add($"{key} {rule}");
            }
        });
        Assert.Empty(errors);
        return new DnsResponder(DnsSettings.Create(options), listing ?? Listing());
    }

    /// <summary>The response over UDP (or TCP), parsed; fails when the server would stay silent.</summary>
    public static DnsAnswer Ask(this DnsResponder responder, byte[] query, bool tcp = false)
    {
        var bytes = responder.RespondBytes(query, tcp);
        Assert.NotEmpty(bytes);
        return DnsAnswer.Parse(bytes);
    }

    public static byte[] RespondBytes(this DnsResponder responder, byte[] query, bool tcp = false)
    {
        var buffer = new byte[65535];
        var length = responder.Respond(query, buffer, tcp);
        return buffer[..length];
    }
}
