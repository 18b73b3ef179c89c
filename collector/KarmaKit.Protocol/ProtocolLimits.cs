namespace KarmaKit.Protocol;

/// <summary>Limits fixed by the contract (DESIGN.md §1), shared by reporter and collector.</summary>
public static class ProtocolLimits
{
    /// <summary>Longest readsocket line, without its LF.</summary>
    public const int MaxLineBytes = 1024;

    /// <summary>Longest reason, in UTF-8 bytes.</summary>
    public const int MaxReasonBytes = 200;

    /// <summary>Longest reporter name (a host name).</summary>
    public const int MaxReporterNameLength = 253;

    /// <summary>Longest batch id.</summary>
    public const int MaxBatchIdLength = 128;
}
