using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KarmaKit.Collector.Storage;

/// <summary>fdatasync(2) on Linux (the data and the size, not the timestamps); fsync elsewhere.</summary>
internal static partial class FileSync
{
    public static void DataSync(FileStream file)
    {
        if (OperatingSystem.IsLinux())
        {
            if (fdatasync(file.SafeFileHandle) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }

            return;
        }

        file.Flush(flushToDisk: true);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);
}
