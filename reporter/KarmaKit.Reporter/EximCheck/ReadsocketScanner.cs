namespace KarmaKit.Reporter.EximCheck;

/// <summary>
/// Finds readsocket items in a configuration as <c>exim -bP config</c> prints it: included files
/// inlined, continuation lines joined, macros substituted, so every item sits on one line.
/// </summary>
internal static class ReadsocketScanner
{
    private const string Item = "${readsocket";

    public static List<ReadsocketCall> Scan(string configuration)
    {
        var calls = new List<ReadsocketCall>();
        var lines = configuration.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            for (var at = line.IndexOf(Item, StringComparison.Ordinal); at >= 0; at = line.IndexOf(Item, at + Item.Length, StringComparison.Ordinal))
            {
                calls.Add(new ReadsocketCall(i + 1, ReadArguments(line, at + Item.Length)));
            }
        }

        return calls;
    }

    /// <summary>Reads the brace-enclosed arguments that follow the item name, honouring nesting and backslash escapes.</summary>
    internal static List<string> ReadArguments(string text, int position)
    {
        var arguments = new List<string>();
        var i = position;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        while (i < text.Length && text[i] == '{')
        {
            var depth = 0;
            var start = i + 1;
            for (; i < text.Length; i++)
            {
                if (text[i] == '\\')
                {
                    i++; // the escaped character is never a brace that counts
                }
                else if (text[i] == '{')
                {
                    depth++;
                }
                else if (text[i] == '}' && --depth == 0)
                {
                    break;
                }
            }

            if (i >= text.Length)
            {
                break; // unbalanced: Exim itself would refuse this; report what was whole
            }

            arguments.Add(text[start..i]);
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
        }

        return arguments;
    }
}
