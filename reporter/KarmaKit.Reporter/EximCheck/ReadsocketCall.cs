namespace KarmaKit.Reporter.EximCheck;

/// <summary>One <c>${readsocket{...}...}</c> item found in Exim's configuration, its arguments unexpanded.</summary>
/// <param name="Line">1-based line in <c>exim -bP config</c> output (includes expanded, macros substituted).</param>
internal sealed record ReadsocketCall(int Line, IReadOnlyList<string> Arguments)
{
    public string Name => Arguments.Count > 0 ? Arguments[0] : "";

    /// <summary>
    /// The options argument's first element, the timeout; null when the call gives no options. The options are an
    /// Exim list: colon-separated (<c>{10s:shutdown=no}</c>) unless it starts with <c>&lt;</c> and another separator.
    /// </summary>
    public string? Timeout => Arguments.Count > 2 ? FirstListElement(Arguments[2]).Trim() : null;

    public bool HasFailString => Arguments.Count > 4;

    private static string FirstListElement(string list)
    {
        var text = list.TrimStart();
        var separator = ':';
        if (text.Length >= 2 && text[0] == '<' && (char.IsPunctuation(text[1]) || char.IsSymbol(text[1])))
        {
            separator = text[1];
            text = text[2..];
        }

        var end = text.IndexOf(separator, StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }
}
