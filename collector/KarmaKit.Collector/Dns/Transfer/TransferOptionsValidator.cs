namespace KarmaKit.Collector.Dns.Transfer;

/// <summary>Checks the transfer and NOTIFY keys of <c>Collector:Dns</c>; part of <see cref="DnsOptionsValidator"/>.</summary>
internal static class TransferOptionsValidator
{
    public static void Collect(DnsOptions o, Action<bool, string, string> check)
    {
        check(TransferAllowList.TryParse(o.Transfer.Allow, out _, out var badNetwork), "Dns:Transfer:Allow",
            $"must be CIDRs or addresses separated by commas or spaces (a CIDR's host bits zero), got '{badNetwork}'");
        check(o.Transfer.MaxConcurrent is >= 1 and <= 1000, "Dns:Transfer:MaxConcurrent", $"must be between 1 and 1000, got {o.Transfer.MaxConcurrent}");
        check(NotifyTargets.TryParse(o.Notify, out _, out var badTarget), "Dns:Notify",
            $"must be IP, IP:PORT or [IPv6]:PORT separated by commas or spaces, got '{badTarget}'");
        check(o.NotifyInterval >= TimeSpan.FromMilliseconds(100) && o.NotifyInterval <= TimeSpan.FromHours(1), "Dns:NotifyInterval",
            $"must be between 00:00:00.100 and 01:00:00, got {o.NotifyInterval}");
    }
}
