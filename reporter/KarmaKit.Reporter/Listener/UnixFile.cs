using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;

namespace KarmaKit.Reporter.Listener;

/// <summary>What <see cref="UnixFile.TryStat"/> reports about a path, without following a final symlink.</summary>
internal readonly record struct UnixFileStatus(bool IsSocket, uint Uid, uint Gid, UnixFileMode Mode, ulong Inode);

/// <summary>
/// The few libc calls .NET has no API for: file type, owner and inode (statx, whose struct layout is the
/// same on every Linux architecture), chown, and group lookup through NSS (getgrnam).
/// </summary>
internal static class UnixFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;
    private const int ENOENT = 2;
    private const uint SocketType = 0xC000;
    private const uint TypeMask = 0xF000;

    /// <summary>Returns false if the path does not exist; throws for other errors.</summary>
    public static bool TryStat(string path, out UnixFileStatus status)
    {
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            status = default;
            return errno == ENOENT ? false : throw new IOException($"cannot stat {path}: {new Win32Exception(errno).Message}");
        }

        // struct statx: stx_uid @20, stx_gid @24, stx_mode (u16) @28, stx_ino @32.
        var mode = BitConverter.ToUInt16(buffer, 28);
        status = new UnixFileStatus(
            (mode & TypeMask) == SocketType,
            BitConverter.ToUInt32(buffer, 20),
            BitConverter.ToUInt32(buffer, 24),
            (UnixFileMode)(mode & 0xFFF),
            BitConverter.ToUInt64(buffer, 32));
        return true;
    }

    /// <summary>Changes the group of <paramref name="path"/>, keeping its owner.</summary>
    public static void ChangeGroup(string path, uint gid)
    {
        if (chown(path, uint.MaxValue, gid) != 0)
        {
            throw new IOException($"cannot change the group of {path} to {gid}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    /// <summary>Changes owner and group of <paramref name="path"/>.</summary>
    public static void ChangeOwner(string path, uint uid, uint gid)
    {
        if (chown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot change the owner of {path} to {uid}:{gid}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    /// <summary>Resolves a group given by number or by name (through NSS, so /etc/group, LDAP and the like).</summary>
    public static bool TryResolveGroup(string group, out uint gid)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
        {
            return true;
        }

        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }; read before any other NSS call.
        var entry = getgrnam(group);
        if (entry == IntPtr.Zero)
        {
            return false;
        }

        gid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr getgrnam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
