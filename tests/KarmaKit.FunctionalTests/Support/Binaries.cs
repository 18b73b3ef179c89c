namespace KarmaKit.FunctionalTests.Support;

/// <summary>
/// Where the programs under test are: each project's own build output under artifacts/bin, next to this
/// test's. Not the copies in this test's folder: those would run against this test's runtime configuration,
/// which has the ASP.NET Core framework (for the stand-in collector) but not the reporter's package assemblies.
/// </summary>
internal static class Binaries
{
    public static string Reporter => Find("KarmaKit.Reporter", "karmakit-reporter");

    public static string Collector => Find("KarmaKit.Collector", "karmakit-collector");

    private static string Find(string project, string executable)
    {
        // AppContext.BaseDirectory is artifacts/bin/KarmaKit.FunctionalTests/<configuration>/.
        var mine = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(mine.Parent!.Parent!.FullName, project, mine.Name, executable);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{executable} is not built at {path}; build the solution first", path);
    }
}
