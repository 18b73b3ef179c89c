using System.Text.RegularExpressions;
using KarmaKit.FunctionalTests.EximKit;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>Real dig (dnsutils) against a server on loopback, its answer reduced to what two servers can be compared on.</summary>
internal static partial class Dig
{
    public static async Task<DigAnswer> AskAsync(int port, string name, string type)
    {
        var result = await ProcessRunner.RunAsync("dig", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "@127.0.0.1",
            "+norec", "+noedns", "+time=2", "+tries=3", name, type);
        Assert.True(result.ExitCode == 0, $"dig {name} {type} on port {port}: {result}");
        return DigAnswer.Parse(result.Output);
    }
}

/// <summary>The rcode, the answer section and the authority section (records with white space collapsed).</summary>
internal sealed partial record DigAnswer(string Status, List<string> Answer, List<string> Authority)
{
    public static DigAnswer Parse(string output)
    {
        List<string> answer = [], authority = [];
        List<string>? section = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(";; ", StringComparison.Ordinal))
            {
                section = line.StartsWith(";; ANSWER SECTION", StringComparison.Ordinal) ? answer
                    : line.StartsWith(";; AUTHORITY SECTION", StringComparison.Ordinal) ? authority : null;
            }
            else if (section is not null && line.Length > 0 && !line.StartsWith(';'))
            {
                section.Add(WhiteSpace().Replace(line.Trim(), " "));
            }
        }

        return new DigAnswer(StatusPattern().Match(output).Groups[1].Value, answer, authority);
    }

    public override string ToString() => $"{Status} [{string.Join(" | ", Answer)}] [{string.Join(" | ", Authority)}]";

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
