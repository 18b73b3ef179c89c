using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Benchmarks.Dns;

/// <summary>
/// <c>report-feed --url URL --reporter NAME=TOKEN --dns IP:PORT [--zone Z] [--rate 1000] [--seconds 30] [--net 11]</c>:
/// the steady report stream of the DNS benchmark's loaded round. Every 100 ms it posts one batch of rate/10 black
/// reports of fresh public addresses in NET.0.0.0/8 (each one a new listing, so the published index changes at the
/// full rate), then asks the collector's DNS for the batch's first address until it answers listed, which times
/// "200 to DNS answer" under load. Prints reports sent and accepted, the achieved rate and that delay's p50/p99/max.
/// </summary>
internal static class ReportFeed
{
    public static int Run(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var url = new Uri(Arg("--url", "http://127.0.0.1:8440/"));
        var reporter = Arg("--reporter", "bench=bench-token").Split('=', 2);
        var dns = IPEndPoint.Parse(Arg("--dns", "127.0.0.1:5353"));
        var zone = Arg("--zone", "bl.karmakit.test");
        var rate = int.Parse(Arg("--rate", "1000"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(Arg("--seconds", "30"), CultureInfo.InvariantCulture);
        var net = uint.Parse(Arg("--net", "11"), CultureInfo.InvariantCulture);
        return RunAsync(url, reporter[0], reporter[1], dns, zone, Math.Max(10, rate), seconds, net).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Uri url, string reporter, string token, IPEndPoint dns, string zone, int rate, double seconds, uint net)
    {
        using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var udp = new UdpClient(dns.AddressFamily);
        udp.Connect(dns);
        var perBatch = rate / 10;
        var run = DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        var delays = new List<double>();
        long sent = 0, accepted = 0, next = 0;
        var failed = 0;
        var began = Stopwatch.GetTimestamp();
        for (var tick = 0; Stopwatch.GetElapsedTime(began).TotalSeconds < seconds; tick++)
        {
            var due = began + (long)(tick * 0.1 * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var now = DateTime.UtcNow;
            var reports = new BatchReport[perBatch];
            var first = (net << 24) | (uint)next;
            for (var i = 0; i < perBatch; i++, next++)
            {
                var a = (net << 24) | (uint)(next & 0xFF_FFFF);
                reports[i] = new BatchReport { Verb = "black", Subject = new IPAddress(BinaryPrimitives.ReverseEndianness(a)).ToString(), Reason = "spam feed", First = now, Last = now, Count = 1 };
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(new ReportBatch { Reporter = reporter, Batch = $"feed-{run}-{tick}", Reports = reports }, ProtocolJsonContext.Default.ReportBatch);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            sent += perBatch;
            using var response = await client.PostAsync("v1/batches", content);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                if (++failed <= 3)
                {
                    Console.Error.WriteLine($"report-feed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                continue;
            }

            accepted += perBatch;
            var answered = Stopwatch.GetTimestamp();
            if (await ListedAsync(udp, first, zone, TimeSpan.FromSeconds(5)))
            {
                delays.Add(Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
            }
            else
            {
                Console.Error.WriteLine($"report-feed: {new IPAddress(BinaryPrimitives.ReverseEndianness(first))} not listed 5 s after its 200");
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(began).TotalSeconds;
        delays.Sort();
        double Q(double q) => delays.Count == 0 ? double.NaN : delays[Math.Min(delays.Count - 1, (int)(q * delays.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"report-feed: {accepted:N0} of {sent:N0} reports accepted in {elapsed:F1} s ({accepted / elapsed:F0}/s, {failed} batches refused); "
            + $"200 to listed in DNS: p50 {Q(0.5):F2} ms, p99 {Q(0.99):F2} ms, max {Q(1):F2} ms over {delays.Count} batches"));
        return failed == 0 && delays.Count > 0 ? 0 : 1;
    }

    /// <summary>Asks for the A record of <paramref name="address"/> until it is listed (NOERROR with an answer) or time runs out.</summary>
    private static async Task<bool> ListedAsync(UdpClient udp, uint address, string zone, TimeSpan limit)
    {
        var name = $"{address & 0xFF}.{(address >> 8) & 0xFF}.{(address >> 16) & 0xFF}.{address >> 24}.{zone}";
        var query = Query(name);
        var stopAt = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            await udp.SendAsync(query);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                var reply = (await udp.ReceiveAsync(timeout.Token)).Buffer;
                if (reply.Length >= 12 && reply[0] == query[0] && reply[1] == query[1] && (reply[3] & 0x0F) == 0 && (reply[6] | reply[7]) != 0)
                {
                    return true;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        return false;
    }

    private static byte[] Query(string name)
    {
        var labels = name.Split('.');
        var packet = new List<byte> { 0x4B, 0x4B, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in labels)
        {
            packet.Add((byte)label.Length);
            packet.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        packet.AddRange([0, 0, 1, 0, 1]);
        return [.. packet];
    }
}
