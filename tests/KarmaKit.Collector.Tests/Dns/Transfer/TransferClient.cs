using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using KarmaKit.Collector.Dns;

namespace KarmaKit.Collector.Tests.Dns.Transfer;

/// <summary>A secondary's side of a transfer over a real TCP connection: framed requests, the messages read until the zone ends.</summary>
internal sealed class TransferClient : IDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream? _stream;

    /// <param name="receiveBuffer">A fixed socket receive buffer (no autotuning), so a client that stops reading soon blocks the sender.</param>
    public static async Task<TransferClient> ConnectAsync(IPEndPoint server, int? receiveBuffer = null)
    {
        var client = new TransferClient();
        if (receiveBuffer is { } size)
        {
            client._tcp.ReceiveBufferSize = size;
        }

        await client._tcp.ConnectAsync(server);
        client._stream = client._tcp.GetStream();
        return client;
    }

    /// <summary>An IXFR query: the question and the client's SOA at <paramref name="serial"/> in the authority section.</summary>
    public static byte[] Ixfr(string zone, uint serial, ushort id = 0x1234)
    {
        var query = DnsPackets.With(DnsPackets.Query(zone, DnsWire.TypeIxfr, id, rd: false), 8, 1);
        var soa = new byte[2 + 10 + 22];
        soa[0] = 0xC0;
        soa[1] = 12;
        BinaryPrimitives.WriteUInt16BigEndian(soa.AsSpan(2), DnsWire.TypeSoa);
        BinaryPrimitives.WriteUInt16BigEndian(soa.AsSpan(4), DnsWire.ClassIn);
        BinaryPrimitives.WriteUInt16BigEndian(soa.AsSpan(10), 22);
        BinaryPrimitives.WriteUInt32BigEndian(soa.AsSpan(12 + 2), serial);
        return [.. query, .. soa];
    }

    public async Task SendAsync(byte[] query)
    {
        var frame = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)query.Length);
        query.CopyTo(frame, 2);
        await _stream!.WriteAsync(frame);
    }

    public async Task<byte[]> ReadMessageAsync()
    {
        var prefix = new byte[2];
        await _stream!.ReadExactlyAsync(prefix).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await _stream.ReadExactlyAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        return message;
    }

    /// <summary>
    /// The messages of one transfer: up to the one that holds the closing SOA, or a single message that is an error,
    /// has only one SOA (IXFR: up to date) or ends the zone at once.
    /// </summary>
    public async Task<List<byte[]>> ReadTransferAsync()
    {
        var messages = new List<byte[]>();
        var soas = 0;
        while (true)
        {
            var message = await ReadMessageAsync();
            messages.Add(message);
            var answer = DnsAnswer.Parse(message);
            soas += answer.Answers.Count(r => r.Type == DnsWire.TypeSoa);
            if (answer.Rcode != 0 || soas >= 2 || (messages.Count == 1 && answer.Answers.Count == 1 && soas == 1))
            {
                return messages;
            }
        }
    }

    public void Dispose() => _tcp.Dispose();
}
