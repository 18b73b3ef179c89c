namespace KarmaKit.Reporter.EximCheck;

/// <summary>One <c>${readsocket{...}...}</c> item found in Exim's configuration, its arguments unexpanded.</summary>
/// <param name="Line">1-based line in <c>exim -bP config</c> output (includes expanded, macros substituted).</param>
internal sealed record ReadsocketCall(int Line, IReadOnlyList<string> Arguments)
{
    public string Name => Arguments.Count > 0 ? Arguments[0] : "";

    /// <summary>The options argument's first element, the timeout; null when the call gives no options.</summary>
    public string? Timeout => Arguments.Count > 2 ? Arguments[2].Split(',')[0].Trim() : null;

    public bool HasFailString => Arguments.Count > 4;
}
