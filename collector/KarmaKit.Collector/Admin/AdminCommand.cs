using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using KarmaKit.Collector.Configuration;

namespace KarmaKit.Collector.Admin;

/// <summary>
/// <c>lookup</c>, <c>allow</c>, <c>unallow</c>, <c>delist</c>, <c>stats</c>: clients of the running collector's admin
/// endpoints on <c>Collector:Http</c>, with the token from <c>--token-file</c> or a plain <c>Collector:Admin:Token</c>.
/// Human-readable output, or the endpoint's JSON with <c>--json</c>. Exit 0 when done, 1 when the collector is not
/// running or refuses, 64 for a usage error.
/// </summary>
internal static class AdminCommand
{
    public static readonly string[] Commands = ["lookup", "allow", "unallow", "delist", "stats"];

    /// <summary>The command's own options with a value; the rest of the arguments are configuration.</summary>
    private static readonly string[] ValueOptions = ["--reason", "--for", "--operator", "--token-file"];

    /// <summary>Splits the command's operands and own options from configuration arguments.</summary>
    public static (List<string> Operands, Dictionary<string, string> Options, string[] Configuration) Split(string[] args)
    {
        var operands = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (ValueOptions.Contains(arg) && i + 1 < args.Length)
            {
                options[arg] = args[++i];
            }
            else if (arg is "--json" or "--remove")
            {
                options[arg] = "";
            }
            else if (arg == "--config" && i + 1 < args.Length)
            {
                rest.Add(arg);
                rest.Add(args[++i]);
            }
            else if (arg.StartsWith('-'))
            {
                rest.Add(arg);
            }
            else
            {
                operands.Add(arg);
            }
        }

        return (operands, options, [.. rest]);
    }

    public static int Run(string command, List<string> operands, Dictionary<string, string> flags, CollectorOptions options, TextWriter output, TextWriter error)
    {
        var json = flags.ContainsKey("--json");
        (HttpMethod Method, string Path, string? Body)? call = (command, operands) switch
        {
            ("lookup", [var address]) => (HttpMethod.Get, $"/admin/lookup/{Uri.EscapeDataString(address)}", null),
            ("stats", []) => (HttpMethod.Get, "/admin/stats", null),
            ("allow", [var address]) when flags.ContainsKey("--remove") => (HttpMethod.Post, "/admin/unallow", Body(address, flags)),
            ("allow", [var address]) => (HttpMethod.Post, "/admin/allow", Body(address, flags)),
            ("unallow", [var address]) => (HttpMethod.Post, "/admin/unallow", Body(address, flags)),
            ("delist", [var address]) => (HttpMethod.Post, "/admin/delist", Body(address, flags)),
            _ => null,
        };
        if (call is null)
        {
            error.WriteLine($"karmakit-collector: usage: {Usage(command)}");
            return CollectorCommand.ExitUsage;
        }

        if (command == "allow" && !flags.ContainsKey("--remove") && !flags.ContainsKey("--reason"))
        {
            error.WriteLine("karmakit-collector: allow needs --reason TEXT (it is kept in karma.log and shown by lookup)");
            return CollectorCommand.ExitUsage;
        }

        if (!TryToken(options, flags, out var token, out var problem))
        {
            error.WriteLine($"karmakit-collector: {problem}");
            return 1;
        }

        if (!HttpEndpoint.TryParse(options.Http, out var endpoint))
        {
            error.WriteLine($"karmakit-collector: Collector:Http '{options.Http}' is not valid");
            return CollectorCommand.ExitConfig;
        }

        var baseUri = BaseUri(endpoint);
        try
        {
            using var client = Client(endpoint, options, baseUri);
            using var request = new HttpRequestMessage(call.Value.Method, call.Value.Path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (call.Value.Body is { } body)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = client.Send(request);
            var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"karmakit-collector: the collector at {baseUri} refused: {Refusal((int)response.StatusCode, text)}");
                return 1;
            }

            if (json)
            {
                output.WriteLine(text);
            }
            else
            {
                using var document = JsonDocument.Parse(text);
                AdminText.Write(command, document.RootElement, output);
            }

            return 0;
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            error.WriteLine($"karmakit-collector: no collector answers at {baseUri} (is it running? Collector:Http): {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            error.WriteLine($"karmakit-collector: {baseUri}: {ex.Message}");
            return 1;
        }
    }

    public static string Usage(string command) => command switch
    {
        "lookup" => "karmakit-collector lookup ADDRESS [--json] [--token-file FILE]",
        "allow" => "karmakit-collector allow ADDRESS|CIDR --reason TEXT [--for DURATION] [--remove] [--operator NAME] [--json] [--token-file FILE]",
        "unallow" => "karmakit-collector unallow ADDRESS|CIDR [--operator NAME] [--json] [--token-file FILE]",
        "delist" => "karmakit-collector delist ADDRESS [--for DURATION] [--reason TEXT] [--operator NAME] [--json] [--token-file FILE]",
        _ => "karmakit-collector stats [--json] [--token-file FILE]",
    };

    private static string Body(string address, Dictionary<string, string> flags)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("address", address);
            writer.WriteString("operator", flags.GetValueOrDefault("--operator") ?? DefaultOperator());
            foreach (var (flag, name) in new[] { ("--reason", "reason"), ("--for", "for") })
            {
                if (flags.TryGetValue(flag, out var value))
                {
                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The login name when it is a valid operator name (it goes into karma.log), else <c>admin</c>.</summary>
    private static string DefaultOperator() =>
        Protocol.ReporterNames.IsValid(Environment.UserName) ? Environment.UserName : AdminEndpoints.DefaultOperator;

    private static bool TryToken(CollectorOptions options, Dictionary<string, string> flags, out string token, out string problem)
    {
        token = "";
        problem = "";
        if (flags.TryGetValue("--token-file", out var file))
        {
            try
            {
                token = File.ReadAllText(file).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = $"cannot read the admin token from {file}: {ex.Message}";
                return false;
            }

            problem = token.Length == 0 ? $"{file} is empty" : "";
            return token.Length > 0;
        }

        if (options.Admin.Token is { } configured && !configured.StartsWith(CollectorOptionsValidator.HashPrefix, StringComparison.Ordinal))
        {
            token = configured;
            return true;
        }

        problem = options.Admin.Token is null
            ? "no admin token: pass --token-file FILE, or set Collector:Admin:Token (the collector must have it too)"
            : "Collector:Admin:Token holds only the token's hash: pass the token itself with --token-file FILE";
        return false;
    }

    private static Uri BaseUri(HttpEndpoint endpoint)
    {
        var host = endpoint.Address switch
        {
            null => "localhost",
            { } any when any.Equals(System.Net.IPAddress.Any) => "127.0.0.1",
            { } any when any.Equals(System.Net.IPAddress.IPv6Any) => "[::1]",
            { AddressFamily: AddressFamily.InterNetworkV6 } v6 => $"[{v6}]",
            { } v4 => v4.ToString(),
        };
        return new Uri($"{(endpoint.Https ? "https" : "http")}://{host}:{endpoint.Port}/");
    }

    /// <summary>A client that, for https, also trusts the collector's own configured certificate (often self-signed).</summary>
    private static HttpClient Client(HttpEndpoint endpoint, CollectorOptions options, Uri baseUri)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (endpoint.Https && options.Tls.Certificate is { } pem && File.Exists(pem))
        {
            var own = X509Certificate2.CreateFromPemFile(pem, options.Tls.Key);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None || (certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(own.RawData));
        }

        return new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static string Refusal(int status, string body)
    {
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            message = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
        }
        catch (JsonException)
        {
        }

        return status switch
        {
            401 => "401, no admin token was accepted",
            403 => "403, wrong admin token",
            404 when message is null => "404, no admin endpoints (the collector has no Collector:Admin:Token)",
            _ => $"{status}{(message is null ? "" : $", {message}")}",
        };
    }
}
