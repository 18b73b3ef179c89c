using System.Text.RegularExpressions;

namespace KarmaKit.TestSupport;

/// <summary>
/// Real dig's text output reduced to what tests compare: the rcode, the header flags, and the answer and authority
/// sections (records with white space collapsed). One source file compiled into each test project that runs dig
/// (a linked <c>Compile</c> item), so the parsing exists once.
/// </summary>
internal sealed partial record DigAnswer(string Status, string[] Flags, List<string> Answer, List<string> Authority)
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

        var flags = FlagsPattern().Match(output).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new DigAnswer(StatusPattern().Match(output).Groups[1].Value, flags, answer, authority);
    }

    public override string ToString() => $"{Status} [{string.Join(" | ", Answer)}] [{string.Join(" | ", Authority)}]";

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@";; flags: ([a-z ]*);")]
    private static partial Regex FlagsPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
