using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Ingest;

public sealed class HttpsTests : TempDirectory
{
    [Fact]
    public async Task Post_OverHttpsWithPemCertificate_IsAccepted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=collector.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var certFile = Path.Combine(Dir, "cert.pem");
        var keyFile = Path.Combine(Dir, "key.pem");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());

        await using var sut = await TestCollector.StartAsync(Dir,
            "--Collector:Http=https://127.0.0.1:0", $"--Collector:Tls:Certificate={certFile}", $"--Collector:Tls:Key={keyFile}");
        Assert.Equal("https", sut.BaseAddress.Scheme);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = sut.BaseAddress };
        using var post = new HttpRequestMessage(HttpMethod.Post, "v1/batches") { Content = new StringContent(Batches.Json("tls")) };
        post.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCollector.Token1);

        var answer = await Batches.AcceptedAsync(await client.SendAsync(post));

        Assert.Equal(1, answer.Accepted);
        Assert.Single(sut.LogLines());
    }
}
