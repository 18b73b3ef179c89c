using System.Security.Cryptography;
using System.Text;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// The token of an <c>Authorization: Bearer …</c> header, as its SHA-256: configured tokens are kept only as hashes
/// (<c>CollectorOptionsValidator.TokenHash</c>), and callers compare with <see cref="CryptographicOperations.FixedTimeEquals"/>.
/// </summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>Writes the SHA-256 of the header's token into <paramref name="hash"/>; false when it holds no bearer token.</summary>
    public static bool TryHash(string? authorization, Span<byte> hash)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
        {
            return false;
        }

        SHA256.HashData(Encoding.UTF8.GetBytes(authorization, Scheme.Length, authorization.Length - Scheme.Length), hash);
        return true;
    }
}
