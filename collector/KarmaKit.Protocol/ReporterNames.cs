namespace KarmaKit.Protocol;

/// <summary>What a reporter's name may be: a host-name-like word, safe in a log line and a URL.</summary>
public static class ReporterNames
{
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= ProtocolLimits.MaxReporterNameLength }
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}
