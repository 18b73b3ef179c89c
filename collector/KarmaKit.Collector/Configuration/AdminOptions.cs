namespace KarmaKit.Collector.Configuration;

/// <summary><c>Collector:Admin</c>: the operator's HTTP endpoints under <c>/admin/</c>.</summary>
internal sealed class AdminOptions
{
    /// <summary>
    /// The admin bearer token, plain (16+ characters) or <c>sha256:&lt;64 hex&gt;</c>; none: every <c>/admin/</c>
    /// endpoint answers 404.
    /// </summary>
    public string? Token { get; set; }
}
