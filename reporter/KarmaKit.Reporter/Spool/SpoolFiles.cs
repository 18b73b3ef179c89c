using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KarmaKit.Reporter.Spool;

/// <summary>File-system steps the spool's durability rests on: fsync of files and directories, atomic replace.</summary>
internal static class SpoolFiles
{
    /// <summary>
    /// Makes written data and the file's metadata (its size) durable: <see cref="RandomAccess.FlushToDisk"/> is fsync(2).
    /// </summary>
    public static void Flush(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>
    /// Makes written data durable, with only the metadata needed to read it back: fdatasync(2) on Linux, fsync elsewhere.
    /// Cheapest when the write changed no size or allocation, i.e. it overwrote bytes already made durable (the
    /// journal's zeroed-ahead space): then the disk writes the data and one cache flush, no file-system journal commit.
    /// </summary>
    public static void FlushData(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            Flush(handle);
            return;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Libc.Fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Makes a directory's entries (created, renamed files) durable. Linux only; a no-op elsewhere.</summary>
    public static void FlushDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsFreeBSD() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Libc.Open(path, Libc.OpenReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {path} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Libc.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    /// <summary>Replaces <paramref name="path"/> atomically and durably: write a temp file, fsync, rename, fsync the directory.</summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, content, 0);
            Flush(handle);
        }

        File.Move(temp, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
