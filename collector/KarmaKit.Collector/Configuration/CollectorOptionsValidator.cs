using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KarmaKit.Protocol;

namespace KarmaKit.Collector.Configuration;

/// <summary>Checks every key at once and names each bad one (Polly's "all errors in one message").</summary>
internal static class CollectorOptionsValidator
{
    public const string HashPrefix = "sha256:";

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Shortest plain token accepted: anything shorter is guessable.</summary>
    public const int MinPlainTokenLength = 16;

    public static List<string> Collect(CollectorOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string rule)
        {
            if (!ok)
            {
                errors.Add($"Collector:{key} {rule}");
            }
        }

        var httpOk = HttpEndpoint.TryParse(o.Http, out var http);
        Check(httpOk, "Http", $"must be http://IP:PORT or https://IP:PORT with a literal address or localhost and no path, got '{o.Http}'");
        Check(!httpOk || http.Https || http.IsLoopback || o.AllowPlainHttpOffLoopback, "Http",
            $"is plain http on a non-loopback address ('{o.Http}'): use https, or set Collector:AllowPlainHttpOffLoopback=true");
        if (httpOk && http.Https)
        {
            CheckCertificate(o.Tls, Check);
        }

        Check(o.Log.Length > 0 && !o.Log.EndsWith('/'), "Log", $"must name a file, got '{o.Log}'");
        Check(o.Data.Length > 0, "Data", "must name a directory");

        foreach (var (name, entry) in o.Reporters)
        {
            Check(ReporterNames.IsValid(name), $"Reporters:{name}", $"is not a valid reporter name (1 to {ProtocolLimits.MaxReporterNameLength} letters, digits, '.', '-', '_')");
            Check(IsValidToken(entry.Token), $"Reporters:{name}:Token",
                $"must be a plain token of at least {MinPlainTokenLength} characters without white space, or {HashPrefix} and 64 hex digits");
        }

        Check(o.Admin.Token is null || IsValidToken(o.Admin.Token), "Admin:Token",
            $"must be a plain token of at least {MinPlainTokenLength} characters without white space, or {HashPrefix} and 64 hex digits");

        var i = o.Ingest;
        Check(i.MaxBodyBytes is >= 1024 and <= 1L << 30, "Ingest:MaxBodyBytes", $"must be between 1024 and 1073741824, got {i.MaxBodyBytes}");
        Check(i.MaxReportsPerBatch is >= 1 and <= 1_000_000, "Ingest:MaxReportsPerBatch", $"must be between 1 and 1000000, got {i.MaxReportsPerBatch}");
        Check(i.MaxHeaderBytes is >= 1024 and <= 1 << 20, "Ingest:MaxHeaderBytes", $"must be between 1024 and 1048576, got {i.MaxHeaderBytes}");
        Check(InRange(i.HeadersTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)), "Ingest:HeadersTimeout", $"must be between 00:00:00.100 and 00:05:00, got {i.HeadersTimeout}");
        Check(InRange(i.BodyTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)), "Ingest:BodyTimeout", $"must be between 00:00:00.100 and 01:00:00, got {i.BodyTimeout}");
        Check(i.MinBodyBytesPerSecond >= 0, "Ingest:MinBodyBytesPerSecond", $"must be 0 (no minimum) or more, got {i.MinBodyBytesPerSecond}");
        Check(i.MaxConnections is >= 1 and <= 1_000_000, "Ingest:MaxConnections", $"must be between 1 and 1000000, got {i.MaxConnections}");
        Check(InRange(i.MaxClockSkew, TimeSpan.Zero, TimeSpan.FromDays(1)), "Ingest:MaxClockSkew", $"must be between 00:00:00 and 1.00:00:00, got {i.MaxClockSkew}");
        var r = i.RateLimit;
        Check(r.Burst is >= 1 and <= 1_000_000, "Ingest:RateLimit:Burst", $"must be between 1 and 1000000, got {r.Burst}");
        Check(r.BatchesPerPeriod >= 1 && r.BatchesPerPeriod <= r.Burst, "Ingest:RateLimit:BatchesPerPeriod", $"must be between 1 and Collector:Ingest:RateLimit:Burst, got {r.BatchesPerPeriod}");
        Check(InRange(r.Period, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)), "Ingest:RateLimit:Period", $"must be between 00:00:00.001 and 1.00:00:00, got {r.Period}");

        CompatOptionsValidator.Collect(o.Compat, errors);
        Dns.DnsOptionsValidator.Collect(o.Dns, Check);
        Listing.ListingPolicyOptionsValidator.Collect(o.Policy, Check);
        Export.ExportOptions.Collect(o.Export, Check);
        Check(InRange(o.Idempotency.Window, TimeSpan.FromMinutes(1), TimeSpan.FromDays(366)), "Idempotency:Window", $"must be between 00:01:00 and 366.00:00:00, got {o.Idempotency.Window}");
        Check(InRange(o.State.SnapshotInterval, TimeSpan.FromSeconds(10), TimeSpan.FromDays(1)), "State:SnapshotInterval", $"must be between 00:00:10 and 1.00:00:00, got {o.State.SnapshotInterval}");
        Check(InRange(o.State.ProgressInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)), "State:ProgressInterval", $"must be between 00:00:00.100 and 01:00:00, got {o.State.ProgressInterval}");
        return errors;
    }

    public static bool IsValidToken(string? token)
    {
        if (token is null)
        {
            return false;
        }

        if (token.StartsWith(HashPrefix, StringComparison.Ordinal))
        {
            var hex = token.AsSpan(HashPrefix.Length);
            return hex.Length == 64 && !hex.ContainsAnyExcept(HexDigits);
        }

        return token.Length >= MinPlainTokenLength && !token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
    }

    /// <summary>The SHA-256 a token is compared by: the configured hash, or the hash of the plain token.</summary>
    public static byte[] TokenHash(string token) => token.StartsWith(HashPrefix, StringComparison.Ordinal)
        ? Convert.FromHexString(token.AsSpan(HashPrefix.Length))
        : SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static bool InRange(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;

    private static void CheckCertificate(TlsOptions tls, Action<bool, string, string> check)
    {
        check(!string.IsNullOrEmpty(tls.Certificate), "Tls:Certificate", "must name a PEM certificate file when Collector:Http is https");
        check(!string.IsNullOrEmpty(tls.Key), "Tls:Key", "must name a PEM private key file when Collector:Http is https");
        if (string.IsNullOrEmpty(tls.Certificate) || string.IsNullOrEmpty(tls.Key))
        {
            return;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(tls.Certificate, tls.Key);
            check(certificate.HasPrivateKey, "Tls:Key", $"does not hold the private key of {tls.Certificate}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            check(false, "Tls:Certificate", $"and Collector:Tls:Key cannot be loaded: {ex.Message}");
        }
    }
}
