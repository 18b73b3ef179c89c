using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>Real dig (dnsutils) against a server on 127.0.0.1: the status and the answer and authority records, whitespace normalised.</summary>
internal static partial class Dig
{
    public static async Task<DigAnswer> AskAsync(int port, string name, string type)
    {
        var info = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "+norec", "+noall", "+comments", "+answer", "+authority", "+time=2", "+tries=2", name, type })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dig did not start (apt-get install dnsutils)");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = StatusPattern().Match(output) is { Success: true } m ? m.Groups[1].Value : "no answer";
        var records = output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';')).Select(l => WhiteSpace().Replace(l.Trim(), " ")).ToList();
        return new DigAnswer(status, records);
    }

    /// <summary>The SOA serial a server gives for a zone, or null.</summary>
    public static async Task<uint?> SerialAsync(int port, string zone)
    {
        var answer = await AskAsync(port, zone, "SOA");
        var soa = answer.Records.FirstOrDefault(r => r.Contains(" IN SOA ", StringComparison.Ordinal));
        return answer.Status == "NOERROR" && soa is not null ? uint.Parse(soa.Split(' ')[6], CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"status: (\w+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

/// <summary>One answer as dig prints it.</summary>
internal sealed record DigAnswer(string Status, List<string> Records)
{
    public override string ToString() => $"{Status}: {string.Join(" | ", Records)}";
}
