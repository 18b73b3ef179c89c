namespace KarmaKit.Reporter.EximCheck;

/// <summary>Prints one line per finding (<c>ok</c>, <c>warning</c>, <c>problem</c>) and a summary; counts problems.</summary>
internal sealed class CheckReport(TextWriter output)
{
    public int Problems { get; private set; }

    public int Warnings { get; private set; }

    public void Ok(string text) => output.WriteLine($"ok       {text}");

    public void Warning(string text)
    {
        Warnings++;
        output.WriteLine($"warning  {text}");
    }

    public void Problem(string text)
    {
        Problems++;
        output.WriteLine($"problem  {text}");
    }

    public void Summary() => output.WriteLine(Problems == 0
        ? $"no problems found ({Warnings} warning(s))"
        : $"{Problems} problem(s), {Warnings} warning(s)");
}
