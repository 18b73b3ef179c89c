using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>
/// Tells the secondaries on <c>Collector:Dns:Notify</c> of each zone's new serial (RFC 1996), off every hot path: a
/// timer reads the zones' serials every <c>Collector:Dns:NotifyInterval</c> (so changes in between coalesce into one
/// NOTIFY, and the start sends one too), and one worker per zone and secondary sends the NOTIFY over UDP and retries
/// with a doubling wait until the secondary answers or the attempts run out, switching to a newer serial if one came.
/// Each worker logs only when its secondary goes from answering to silent or back.
/// </summary>
internal sealed class ZoneNotifier : IAsyncDisposable
{
    /// <summary>Attempts per serial; with the doubling wait from <see cref="FirstWait"/> about 31 s in all.</summary>
    public const int Attempts = 5;

    private static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(1);

    private readonly DnsSettings _settings;
    private readonly IDnsListing _listing;
    private readonly IPAddress? _source;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Worker[] _workers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _tasks = [];

    /// <param name="source">The address NOTIFYs are sent from (secondaries check it); null lets the system choose.</param>
    public ZoneNotifier(DnsSettings settings, IDnsListing listing, IReadOnlyList<IPEndPoint> secondaries, IPAddress? source, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _listing = listing;
        _source = source;
        _interval = interval;
        _time = time;
        _logger = logger;
        _workers = [.. settings.Zones.SelectMany(zone => secondaries.Select(secondary => new Worker(zone, secondary)))];
    }

    /// <summary>NOTIFYs answered, all zones and secondaries (tests).</summary>
    public int Answered => _workers.Sum(w => Volatile.Read(ref w.Answered));

    public void Start()
    {
        foreach (var worker in _workers)
        {
            _tasks.Add(Task.Run(() => RunAsync(worker, _stopping.Token)));
        }

        _tasks.Add(Task.Run(() => WatchAsync(_stopping.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var worker in _workers)
        {
            worker.Serials.Writer.TryComplete();
        }

        await Task.WhenAll(_tasks);
        _stopping.Dispose();
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        var notified = new Dictionary<DnsList, uint>();
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            foreach (var zone in _settings.Zones)
            {
                var serial = _listing.Serial(zone.List);
                if (notified.TryGetValue(zone.List, out var last) && last == serial)
                {
                    continue;
                }

                notified[zone.List] = serial;
                foreach (var worker in _workers)
                {
                    if (worker.Zone == zone)
                    {
                        worker.Serials.Writer.TryWrite(serial); // capacity 1, newest kept: a busy worker takes the latest
                    }
                }
            }
        }
        while (await WaitAsync(timer, stopping));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunAsync(Worker worker, CancellationToken stopping)
    {
        var zone = DnsName.ToText(worker.Zone.Apex);
        bool? answering = null;
        var buffer = new byte[DnsWire.ClassicUdpSize];
        try
        {
            while (await worker.Serials.Reader.WaitToReadAsync(stopping))
            {
                worker.Serials.Reader.TryRead(out var serial);
                var wait = FirstWait;
                var reason = "no answer";
                var answered = false;
                for (var attempt = 1; attempt <= Attempts && !answered; attempt++, wait *= 2)
                {
                    if (worker.Serials.Reader.TryRead(out var newer))
                    {
                        (serial, attempt, wait) = (newer, 1, FirstWait);
                    }

                    (answered, reason) = await SendAsync(worker, serial, buffer, wait, stopping);
                    if (!answered && attempt < Attempts && reason != "no answer")
                    {
                        await Task.Delay(wait, _time, stopping); // refused at once (ICMP): still wait before the next try
                    }
                }

                if (answered)
                {
                    Interlocked.Increment(ref worker.Answered);
                    if (answering != true)
                    {
                        _logger.DnsNotifyAnswered(zone, serial, worker.Secondary, reason);
                    }
                }
                else if (answering != false)
                {
                    _logger.DnsNotifyUnanswered(zone, serial, worker.Secondary, Attempts, reason);
                }

                answering = answered;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>One NOTIFY and its answer, within <paramref name="wait"/>; any rcode counts as answered (the secondary heard it).</summary>
    private async Task<(bool Answered, string Reason)> SendAsync(Worker worker, uint serial, byte[] buffer, TimeSpan wait, CancellationToken stopping)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var length = NotifyMessage.Write(buffer, id, _settings, worker.Zone, serial);
        using var socket = new Socket(worker.Secondary.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(wait);
        try
        {
            if (_source is not null && _source.AddressFamily == worker.Secondary.AddressFamily)
            {
                socket.Bind(new IPEndPoint(_source, 0));
            }

            await socket.ConnectAsync(worker.Secondary, stopping);
            await socket.SendAsync(buffer.AsMemory(0, length), stopping);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, timeout.Token);
                if (NotifyMessage.IsResponse(buffer.AsSpan(0, received), id, out var rcode))
                {
                    return (true, rcode.ToString().ToUpperInvariant());
                }
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (false, "no answer");
        }
        catch (SocketException ex)
        {
            return (false, ex.SocketErrorCode.ToString());
        }
    }

    private sealed class Worker(DnsZone zone, IPEndPoint secondary)
    {
        public int Answered;

        public DnsZone Zone { get; } = zone;

        public IPEndPoint Secondary { get; } = secondary;

        public Channel<uint> Serials { get; } = Channel.CreateBounded<uint>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    }
}
