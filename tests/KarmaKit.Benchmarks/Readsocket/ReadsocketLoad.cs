using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KarmaKit.Benchmarks.Readsocket;

/// <summary>
/// Load tool for the readsocket path. Each call does exactly what Exim's ${readsocket} does
/// (research/exim-readsocket.md §2): connect, write one line in one write, shut down the write side
/// (unless --no-shutdown), read the reply until EOF, close. N client threads with blocking sockets,
/// like the C client the floors were measured with. Prints calls/s and latency percentiles.
/// </summary>
internal static class ReadsocketLoad
{
    public static int Run(string[] args)
    {
        var target = "inet:127.0.0.1:4444";
        var clients = 8;
        var seconds = 10.0;
        var warmup = 2.0;
        var shutdown = true;
        var label = "";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--target": target = args[++i]; break;
                case "--clients": clients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-shutdown": shutdown = false; break;
                case "--label": label = args[++i]; break;
                default:
                    Console.Error.WriteLine("usage: readsocket [--target inet:HOST:PORT|/path.sock] [--clients N] [--seconds S] [--warmup S] [--no-shutdown] [--label NAME]");
                    return 64;
            }
        }

        var endPoint = ParseTarget(target);
        if (warmup > 0)
        {
            Measure(endPoint, clients, TimeSpan.FromSeconds(warmup), shutdown, seed: 1);
        }

        var result = Measure(endPoint, clients, TimeSpan.FromSeconds(seconds), shutdown, seed: 2);
        Console.WriteLine(result.Format(label.Length > 0 ? label : target, clients));
        return result.Calls > 0 ? 0 : 1;
    }

    private static EndPoint ParseTarget(string target) =>
        target.StartsWith("inet:", StringComparison.Ordinal)
            ? IPEndPoint.Parse(target["inet:".Length..])
            : new UnixDomainSocketEndPoint(target);

    private static LoadResult Measure(EndPoint endPoint, int clients, TimeSpan duration, bool shutdown, int seed)
    {
        var latencies = new List<long>[clients];
        var errors = new int[clients];
        var notOk = new int[clients];
        using var start = new Barrier(clients + 1);
        var stopAt = 0L;
        var threads = new Thread[clients];
        for (var c = 0; c < clients; c++)
        {
            var client = c;
            latencies[c] = new List<long>(1 << 16);
            threads[c] = new Thread(() =>
            {
                var reply = new byte[512];
                var n = (seed * 1_000_000) + (client * 100_000);
                start.SignalAndWait();
                while (Stopwatch.GetTimestamp() < Volatile.Read(ref stopAt))
                {
                    n++;
                    // 198.18.0.0/15 is the benchmarking range: never a real host.
                    var line = Encoding.ASCII.GetBytes($"black 198.{18 + ((n >> 16) & 1)}.{(n >> 8) & 255}.{n & 255} bench\n");
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        var got = Call(endPoint, line, reply, shutdown);
                        latencies[client].Add(Stopwatch.GetTimestamp() - t0);
                        if (got < 3 || reply[0] != (byte)'o' || reply[1] != (byte)'k')
                        {
                            notOk[client]++;
                        }
                    }
                    catch (SocketException)
                    {
                        errors[client]++;
                    }
                }
            })
            { IsBackground = true, Name = $"client-{c}" };
            threads[c].Start();
        }

        Volatile.Write(ref stopAt, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        var began = Stopwatch.GetTimestamp();
        start.SignalAndWait();
        foreach (var t in threads)
        {
            t.Join();
        }

        var elapsed = Stopwatch.GetElapsedTime(began);
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(all, elapsed, errors.Sum(), notOk.Sum());
    }

    private static int Call(EndPoint endPoint, byte[] line, byte[] reply, bool shutdown)
    {
        using var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.ReceiveTimeout = 5000;
        socket.Connect(endPoint);
        socket.Send(line);
        if (shutdown)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var total = 0;
        int got;
        while ((got = socket.Receive(reply, total, reply.Length - total, SocketFlags.None)) > 0)
        {
            total += got;
            if (total == reply.Length)
            {
                break;
            }
        }

        return total;
    }

    private sealed record LoadResult(long[] Latencies, TimeSpan Elapsed, int Errors, int NotOk)
    {
        public long Calls => Latencies.Length;

        public string Format(string label, int clients)
        {
            double Ms(double q) => Latencies.Length == 0 ? 0
                : Latencies[Math.Min(Latencies.Length - 1, (int)(q * Latencies.Length))] * 1000.0 / Stopwatch.Frequency;
            return string.Create(CultureInfo.InvariantCulture,
                $"{label,-24} clients={clients} calls={Calls} calls/s={Calls / Elapsed.TotalSeconds:F0} p50={Ms(0.50):F3}ms p99={Ms(0.99):F3}ms max={Ms(1.0):F3}ms errors={Errors} not-ok={NotOk}");
        }
    }
}
