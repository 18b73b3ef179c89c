using System.Text;
using BenchmarkDotNet.Attributes;
using KarmaKit.Collector.Dns;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Benchmarks;

/// <summary>
/// The DNS server's per-query cost without sockets: parse, zone match, name classification, lookup in a 1M-entry
/// <see cref="StaticListing"/> and the response write. Target: 0 B allocated per query.
/// </summary>
[MemoryDiagnoser]
public class DnsResponderBenchmark
{
    private readonly byte[] _response = new byte[65535];
    private DnsResponder _responder = null!;
    private byte[] _listedA = [];
    private byte[] _listedTxt = [];
    private byte[] _unlisted = [];
    private byte[] _ipv6 = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5782);
        var entries = Enumerable.Range(0, 1_000_000)
            .Select(_ => new KeyValuePair<IpSubject, ListingAnswer>(IpSubject.FromIPv4((uint)random.NextInt64(0x0100_0000, 0xDF00_0000)), ListingAnswer.Listed))
            .Append(new(IpSubject.Parse("198.51.100.7"), ListingAnswer.FromLastOctet(3, "virus Eicar")));
        _responder = new DnsResponder(DnsSettings.Create(new DnsOptions()), new StaticListing(entries, []));
        _listedA = Query("7.100.51.198.bl.karmakit.test", 1);
        _listedTxt = Query("7.100.51.198.bl.karmakit.test", 16);
        _unlisted = Query("1.0.0.127.bl.karmakit.test", 1);
        _ipv6 = Query("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.karmakit.test", 1);
    }

    /// <summary>Copying the query into the response buffer: the least any server does.</summary>
    [Benchmark(Baseline = true)]
    public int Baseline_Copy()
    {
        _listedA.CopyTo(_response, 0);
        return _listedA.Length;
    }

    [Benchmark]
    public int ListedA() => _responder.Respond(_listedA, _response, tcp: false);

    [Benchmark]
    public int ListedTxt() => _responder.Respond(_listedTxt, _response, tcp: false);

    [Benchmark]
    public int UnlistedNxDomain() => _responder.Respond(_unlisted, _response, tcp: false);

    [Benchmark]
    public int IPv6Nibbles() => _responder.Respond(_ipv6, _response, tcp: false);

    private static byte[] Query(string name, ushort type)
    {
        var bytes = new List<byte> { 0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        bytes.AddRange([0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]);
        return [.. bytes];
    }
}
