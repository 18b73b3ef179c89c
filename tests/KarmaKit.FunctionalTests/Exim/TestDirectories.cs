namespace KarmaKit.FunctionalTests.Exim;

internal static class TestDirectories
{
    /// <summary>A new temp directory with mode 0755, so the Exim user can reach files and sockets in it.</summary>
    public static string CreateSearchable(string prefix)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the Exim tests need Linux with exim4-daemon-heavy");
        }

        // Under /tmp rather than $TMPDIR: every parent must be searchable by the Exim user too.
        var path = Path.Combine("/tmp", prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }
}
