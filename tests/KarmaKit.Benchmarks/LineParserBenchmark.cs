using System.Text;
using BenchmarkDotNet.Attributes;
using KarmaKit.Protocol.Lines;

namespace KarmaKit.Benchmarks;

/// <summary>The agent's per-line cost: grammar, address parse and canonical check. Target: 0 B allocated per line.</summary>
[MemoryDiagnoser]
public class LineParserBenchmark
{
    private readonly byte[] _ipv4Line = Encoding.ASCII.GetBytes("black 203.0.113.5\r");
    private readonly byte[] _reasonLine = Encoding.ASCII.GetBytes("black 203.0.113.5 virus Eicar-Test-Signature");
    private readonly byte[] _expandedIPv6Line = Encoding.ASCII.GetBytes("black 2001:0db8:0000:0000:0000:0000:0000:0001 auth-bruteforce");
    private readonly byte[] _badLine = Encoding.ASCII.GetBytes("black 203.0.113.256");

    /// <summary>Finding the end of the line: the least any parser must do.</summary>
    [Benchmark(Baseline = true)]
    public int Baseline_IndexOfNewline() => _reasonLine.AsSpan().IndexOfAny((byte)'\n', (byte)'\r');

    [Benchmark]
    public bool Parse_IPv4() => LineParser.TryParse(_ipv4Line, out _, out _);

    [Benchmark]
    public bool Parse_IPv4WithReason() => LineParser.TryParse(_reasonLine, out _, out _);

    [Benchmark]
    public bool Parse_ExpandedIPv6WithReason() => LineParser.TryParse(_expandedIPv6Line, out _, out _);

    [Benchmark]
    public bool Parse_Invalid() => LineParser.TryParse(_badLine, out _, out _);
}
