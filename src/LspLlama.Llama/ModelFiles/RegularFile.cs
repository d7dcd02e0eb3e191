using LspLlama.Native;

namespace LspLlama.ModelFiles;

/// <summary>
/// Reads of paths that come from outside (documents followed on disk, models, session files):
/// stat first, and only a regular file is opened (a FIFO would block the open for good, a device
/// like <c>/dev/zero</c> never ends); every read stops at a size limit, even if the file grew
/// after the stat.
/// </summary>
public static class RegularFile
{
    /// <summary>
    /// Why <paramref name="path"/> must not be opened when it exists but is not a regular file (a
    /// FIFO, a device, a socket, a folder); null for a regular file, a missing one (the open says so)
    /// or where no stat can be had.
    /// </summary>
    public static string? NotRegular(string path) =>
        PosixStat.Of(path) is { IsRegularFile: false } stat ? $"it is not a regular file ({Describe(stat.Type)})" : null;

    /// <summary>
    /// The bytes of a regular file of at most <paramref name="maxBytes"/>; null when it is not a
    /// regular file or is larger (the read stops at the limit, so a growing file cannot exhaust memory).
    /// </summary>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is not readable.</exception>
    public static byte[]? ReadAllBytes(string path, long maxBytes)
    {
        if (NotRegular(path) is not null)
        {
            return null;
        }

        using FileStream stream = OpenRead(path);
        var buffer = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        while (true)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length));
            if (read == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Opens a path for reading; call <see cref="NotRegular"/> first for a clear reason. On Linux the
    /// open never blocks and the file type is checked again on the opened descriptor, so a FIFO or a
    /// device swapped in after the stat gives an <see cref="IOException"/> instead of a hang.
    /// </summary>
    public static FileStream OpenRead(string path, FileShare share = FileShare.Read, int bufferSize = 4096)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle? handle;
        try
        {
            handle = PosixStat.OpenRegularForRead(path);
        }
        catch (FileNotFoundException) when (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
        {
            // open(2) says ENOENT for a missing folder too; .NET's own open tells the two apart, and so do callers.
            throw new DirectoryNotFoundException($"the folder of '{path}' does not exist");
        }

        return handle is not null
            ? new FileStream(handle, FileAccess.Read, Math.Max(bufferSize, 1))
            : new FileStream(path, FileMode.Open, FileAccess.Read, share, bufferSize);
    }

    private static string Describe(int type) => type switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        PathStat.DirectoryType => "a folder",
        _ => "a special file",
    };
}
