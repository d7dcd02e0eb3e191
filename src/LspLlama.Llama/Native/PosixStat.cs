using System.Runtime.InteropServices;

namespace LspLlama.Native;

/// <summary>What <c>statx</c> says about a path: its type, owner, permission bits and size.</summary>
/// <param name="Type">The <c>S_IFMT</c> bits of the mode.</param>
/// <param name="Permissions">The permission bits (<c>07777</c>).</param>
public readonly record struct PathStat(int Type, int Permissions, uint Owner, long Size)
{
    public const int RegularFile = 0x8000; // S_IFREG
    public const int DirectoryType = 0x4000; // S_IFDIR
    public const int SymbolicLink = 0xA000; // S_IFLNK

    public bool IsRegularFile => Type == RegularFile;

    public bool IsDirectory => Type == DirectoryType;

    public bool IsSymbolicLink => Type == SymbolicLink;

    /// <summary>Writable by the group or by others (<c>022</c>).</summary>
    public bool WritableByOthers => (Permissions & 0x12) != 0;

    /// <summary>Writable by its owner (<c>200</c>).</summary>
    public bool WritableByOwner => (Permissions & 0x80) != 0;
}

/// <summary>
/// <c>statx(2)</c> and <c>geteuid(2)</c> from libc. .NET tells a directory from a file but not a
/// FIFO or a device from a regular file, and not who owns one: both matter before opening a path
/// a client named (a FIFO blocks <c>open</c> for good, <c>/dev/zero</c> never ends). <c>statx</c>'s
/// layout is the same on every Linux architecture, unlike <c>struct stat</c>'s.
/// </summary>
public static unsafe partial class PosixStat
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int AtEmptyPath = 0x1000;
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800; // O_NONBLOCK on x86-64 and arm64
    private const int CloseOnExec = 0x80000; // O_CLOEXEC
    private const int LockShared = 1; // LOCK_SH
    private const int LockNonBlocking = 4; // LOCK_NB
    private const int WouldBlock = 11; // EWOULDBLOCK

    /// <summary>The stat of <paramref name="path"/> (of a symbolic link itself with <paramref name="noFollow"/>); null where it cannot be had.</summary>
    public static PathStat? Of(string path, bool noFollow = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        byte* buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, noFollow ? AtSymlinkNoFollow : 0, StatxBasicStats, buffer) != 0)
        {
            return null;
        }

        uint owner = *(uint*)(buffer + 20);
        ushort mode = *(ushort*)(buffer + 28);
        long size = *(long*)(buffer + 40);
        return new PathStat(mode & 0xF000, mode & 0xFFF, owner, size);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading without blocking (<c>O_NONBLOCK</c>: a FIFO put in
    /// place of the file after a stat must not hang the open) and hands back the descriptor only
    /// when it is a regular file, checked on the descriptor itself (so no swap can slip between the
    /// check and the read). Null off Linux, where the caller opens as usual.
    /// </summary>
    /// <exception cref="IOException">The path cannot be opened, or is not a regular file.</exception>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? OpenRegularForRead(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        int fd = OpenFile(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 => new FileNotFoundException($"'{path}' does not exist", path),
                13 => new UnauthorizedAccessException($"'{path}' is not readable (permission denied)"),
                _ => new IOException($"cannot open '{path}' ({Marshal.GetPInvokeErrorMessage(errno)})"),
            };
        }

        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        byte* buffer = stackalloc byte[256];
        if (Statx(fd, string.Empty, AtEmptyPath, StatxBasicStats, buffer) != 0 || (*(ushort*)(buffer + 28) & 0xF000) != PathStat.RegularFile)
        {
            handle.Dispose();
            throw new IOException($"'{path}' is not a regular file");
        }

        // The shared advisory lock .NET's own FileStream takes for a reader, so a writer holding the
        // file exclusively (FileShare.None) keeps us out as it does every .NET reader.
        if (Flock(fd, LockShared | LockNonBlocking) != 0 && Marshal.GetLastPInvokeError() == WouldBlock)
        {
            handle.Dispose();
            throw new IOException($"'{path}' is being used by another process");
        }

        return handle;
    }

    /// <summary>The effective user id of this process; null off Linux.</summary>
    public static uint? EffectiveUser => OperatingSystem.IsLinux() ? GetEffectiveUser() : null;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUser();
}
