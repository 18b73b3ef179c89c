using System.Security.Cryptography;
using KarmaKit.Collector.Configuration;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// Bearer tokens to reporter names. The presented token is hashed with SHA-256 and compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/> against every configured hash, without stopping at a match,
/// so neither the time nor the answer tells which reporters exist or how close a guess was.
/// </summary>
internal sealed class ReporterAuthenticator
{
    private readonly (string Name, byte[] Hash)[] _reporters;

    public ReporterAuthenticator(IReadOnlyDictionary<string, ReporterEntry> reporters) =>
        _reporters = [.. reporters.Where(r => r.Value.Token is not null)
            .Select(r => (r.Key, CollectorOptionsValidator.TokenHash(r.Value.Token!)))];

    public int Count => _reporters.Length;

    /// <summary>The reporter whose token is in <paramref name="authorization"/>, or null with the reason in <paramref name="problem"/>.</summary>
    public string? Authenticate(string? authorization, out string problem)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            problem = "no Authorization header";
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (!BearerToken.TryHash(authorization, hash))
        {
            problem = "Authorization is not a bearer token";
            return null;
        }

        string? match = null;
        foreach (var (name, expected) in _reporters)
        {
            var equal = CryptographicOperations.FixedTimeEquals(hash, expected);
            match = equal ? name : match;
        }

        problem = match is null ? "unknown token" : "";
        return match;
    }
}
