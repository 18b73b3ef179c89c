namespace KarmaKit.Collector.Dns.Transfer;

/// <summary><c>Collector:Dns:Transfer</c>: who may pull the zones over TCP (AXFR, IXFR), and how many at once.</summary>
internal sealed class TransferOptions
{
    /// <summary>Client networks allowed to transfer, CIDRs or single addresses separated by commas or spaces; empty refuses every transfer.</summary>
    public string Allow { get; set; } = "";

    /// <summary>Most transfers streaming at once; a further request waits up to <c>Collector:Dns:TcpIdleTimeout</c> for a slot, then gets SERVFAIL.</summary>
    public int MaxConcurrent { get; set; } = 4;
}
