namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>The source tree the test was built from: found by walking up from the test's output folder to KarmaKit.sln.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string EximConfig => Path.Combine(Root, "exim-config");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KarmaKit.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no KarmaKit.sln above {AppContext.BaseDirectory}");
    }
}
