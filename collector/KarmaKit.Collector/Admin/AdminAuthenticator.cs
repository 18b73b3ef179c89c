using System.Security.Cryptography;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Ingest;

namespace KarmaKit.Collector.Admin;

/// <summary>
/// The admin bearer token (<c>Collector:Admin:Token</c>), checked like a reporter's: the presented token's SHA-256
/// compared in constant time with the configured hash. No token configured: the admin endpoints do not exist (404).
/// </summary>
internal sealed class AdminAuthenticator(AdminOptions options)
{
    private readonly byte[]? _hash = options.Token is { } token ? CollectorOptionsValidator.TokenHash(token) : null;

    public bool Enabled => _hash is not null;

    /// <summary>200 for the admin token; 401 without a bearer token; 403 for another token; 404 when admin is off.</summary>
    public int Check(string? authorization)
    {
        if (_hash is null)
        {
            return StatusCodes.Status404NotFound;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (!BearerToken.TryHash(authorization, hash))
        {
            return StatusCodes.Status401Unauthorized;
        }

        return CryptographicOperations.FixedTimeEquals(hash, _hash) ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden;
    }
}
