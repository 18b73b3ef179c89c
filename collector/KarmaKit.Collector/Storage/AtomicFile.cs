using System.Runtime.InteropServices;

namespace KarmaKit.Collector.Storage;

/// <summary>
/// Replaces a file all at once: the content goes to a hidden temp file in the same directory (<c>.NAME.tmp</c>), is
/// fsynced, renamed over the file, and the directory is fsynced, so a reader (rbldnsd, rsync, a crash) sees the old
/// file or the new one, never a part. On any failure the temp file is removed and the old file stays.
/// </summary>
internal static partial class AtomicFile
{
    /// <summary>The temp file <paramref name="path"/>'s content is written to before the rename.</summary>
    public static string TempPath(string path) => Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="content"/> (given the temp file's unbuffered stream);
    /// returns the bytes written. <paramref name="mode"/> is the new file's permissions on Unix (else the umask's).
    /// </summary>
    public static long Write(string path, Action<Stream> content, UnixFileMode? mode = null)
    {
        var temp = TempPath(path);
        long length;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = unixMode;
            }

            using (var file = new FileStream(temp, options))
            {
                content(file);
                length = file.Length;
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return length;
    }

    /// <summary>Writes <paramref name="bytes"/> as the whole of <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>fsync(2) of a directory, so a rename in it survives a crash (Linux; elsewhere nothing).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(directory, 0); // O_RDONLY: a directory opens read-only without O_DIRECTORY, whose value differs by architecture
        if (fd < 0)
        {
            throw new IOException($"cannot open {directory} to sync it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the next write replaces it
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
