using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace KarmaKit.Reporter.Configuration;

/// <summary>Checks every key at once and names each bad one (Polly's "all errors in one message").</summary>
internal sealed class ReporterOptionsValidator : IValidateOptions<ReporterOptions>
{
    public ValidateOptionsResult Validate(string? name, ReporterOptions options)
    {
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Collect(ReporterOptions o)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string rule)
        {
            if (!ok)
            {
                errors.Add($"Reporter:{key} {rule}");
            }
        }

        Check(KarmaKit.Protocol.ReporterNames.IsValid(o.Name), "Name", $"must be a host-name-like identity of 1 to {KarmaKit.Protocol.ProtocolLimits.MaxReporterNameLength} characters (letters, digits, '.', '-', '_'), got '{o.Name}'");
        Check(o.Tcp.Length == 0 || TryParseEndPoint(o.Tcp, out _), "Tcp", $"must be empty or HOST:PORT with a literal IP address ('127.0.0.1:4444', '[::1]:4444'), got '{o.Tcp}'");
        Check(o.UnixSocket.Length == 0 || Path.IsPathFullyQualified(o.UnixSocket), "UnixSocket", $"must be empty or an absolute path, got '{o.UnixSocket}'");
        Check(o.Tcp.Length > 0 || o.UnixSocket.Length > 0, "Tcp", "and Reporter:UnixSocket are both empty: nothing would listen");
        Check(o.Spool.Length > 0, "Spool", "must name a directory");
        Check(Uri.TryCreate(o.CollectorUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps),
            "CollectorUrl", $"must be an absolute http:// or https:// URL, got '{o.CollectorUrl}'");
        Check(o.Token is null || (o.Token.Length > 0 && !o.Token.Any(char.IsWhiteSpace)), "Token", "must not be empty or contain white space");

        var l = o.Listener;
        Check(l.MaxLineBytes is >= 64 and <= KarmaKit.Protocol.ProtocolLimits.MaxLineBytes, "Listener:MaxLineBytes", $"must be between 64 and {KarmaKit.Protocol.ProtocolLimits.MaxLineBytes}, got {l.MaxLineBytes}");
        Check(l.MaxLinesPerRequest is >= 1 and <= 1000, "Listener:MaxLinesPerRequest", $"must be between 1 and 1000, got {l.MaxLinesPerRequest}");
        Check(l.MaxConnections is >= 1 and <= 100_000, "Listener:MaxConnections", $"must be between 1 and 100000, got {l.MaxConnections}");
        Check(l.ClientTimeout >= TimeSpan.FromMilliseconds(10) && l.ClientTimeout <= TimeSpan.FromMinutes(5), "Listener:ClientTimeout", $"must be between 00:00:00.010 and 00:05:00, got {l.ClientTimeout}");
        Check(l.Backlog is >= 1 and <= 65_535, "Listener:Backlog", $"must be between 1 and 65535, got {l.Backlog}");
        Check(TryParseMode(l.UnixSocketMode, out _), "Listener:UnixSocketMode", $"must be an octal file mode such as 0660, got '{l.UnixSocketMode}'");

        var j = o.Journal;
        Check(Enum.IsDefined(j.Durability), "Journal:Durability", "must be Fsync or Write");
        Check(j.SegmentBytes is >= 64 * 1024 and <= 1L << 30, "Journal:SegmentBytes", $"must be between 65536 and 1073741824, got {j.SegmentBytes}");
        Check(j.MaxBytes >= 2 * j.SegmentBytes, "Journal:MaxBytes", $"must be at least twice Reporter:Journal:SegmentBytes ({2 * j.SegmentBytes}), got {j.MaxBytes}");

        var s = o.Shipping;
        Check(s.MaxBatchReports is >= 1 and <= 100_000, "Shipping:MaxBatchReports", $"must be between 1 and 100000, got {s.MaxBatchReports}");
        Check(s.MaxBatchBytes is >= 4096 and <= 64 << 20, "Shipping:MaxBatchBytes", $"must be between 4096 and 67108864, got {s.MaxBatchBytes}");
        Check(s.MaxBatchAge >= TimeSpan.Zero && s.MaxBatchAge <= TimeSpan.FromMinutes(10), "Shipping:MaxBatchAge", $"must be between 00:00:00 and 00:10:00, got {s.MaxBatchAge}");
        Check(s.AttemptTimeout >= TimeSpan.FromMilliseconds(10) && s.AttemptTimeout <= TimeSpan.FromHours(1), "Shipping:AttemptTimeout", $"must be between 00:00:00.010 and 01:00:00, got {s.AttemptTimeout}");
        Check(s.RetryDelay >= TimeSpan.FromMilliseconds(1) && s.RetryDelay <= s.MaxRetryDelay, "Shipping:RetryDelay", $"must be between 00:00:00.001 and Reporter:Shipping:MaxRetryDelay, got {s.RetryDelay}");
        Check(s.MaxRetryDelay <= TimeSpan.FromDays(1), "Shipping:MaxRetryDelay", $"must be at most 1.00:00:00, got {s.MaxRetryDelay}");
        Check(s.BreakDuration >= TimeSpan.FromMilliseconds(500) && s.BreakDuration <= TimeSpan.FromDays(1), "Shipping:BreakDuration", $"must be between 00:00:00.500 and 1.00:00:00, got {s.BreakDuration}");
        Check(s.BreakFailureRatio is > 0 and <= 1, "Shipping:BreakFailureRatio", $"must be above 0 and at most 1, got {s.BreakFailureRatio}");
        Check(s.BreakSamplingDuration >= TimeSpan.FromMilliseconds(500) && s.BreakSamplingDuration <= TimeSpan.FromDays(1), "Shipping:BreakSamplingDuration", $"must be between 00:00:00.500 and 1.00:00:00, got {s.BreakSamplingDuration}");
        Check(s.BreakMinimumThroughput >= 2, "Shipping:BreakMinimumThroughput", $"must be at least 2, got {s.BreakMinimumThroughput}");
        return errors;
    }

    /// <summary>Parses HOST:PORT with a literal IPv4 or bracketed IPv6 address.</summary>
    public static bool TryParseEndPoint(string text, out IPEndPoint endPoint) =>
        IPEndPoint.TryParse(text, out endPoint!) && endPoint.Port is > 0 and <= 65535 && text.Contains(':', StringComparison.Ordinal)
        && (endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || text.StartsWith('['));

    public static bool TryParseMode(string text, out UnixFileMode mode)
    {
        mode = default;
        if (text.Length is < 3 or > 4 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || text.Any(c => c > '7'))
        {
            return false;
        }

        mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return true;
    }
}
