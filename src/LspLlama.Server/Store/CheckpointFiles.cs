using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Hashing;
using LspLlama.Core.Session;

namespace LspLlama.Store;

/// <summary>
/// The disk tier's files and folders: one file per checkpoint (a header with a magic number, the
/// position, the length and the XxHash64 of the state, then the state), written 0600 in a 0700
/// folder, and the clean-up of folders whose process died.
/// </summary>
internal static class CheckpointFiles
{
    private const long Magic = 0x31305450_4B434C4C; // "LLCKPT01", little-endian

    public const int HeaderBytes = 8 + 4 + 4 + 8;

    public static bool WriteFile(string path, SpilledCheckpoint c, byte[] buffer)
    {
        try
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            BinaryPrimitives.WriteInt64LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], c.Position);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], c.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(header[16..], XxHash64.HashToUInt64(buffer.AsSpan(0, c.Length)));
            FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using FileStream file = new(path, options);
            file.Write(header);
            file.Write(buffer, 0, c.Length);
            return true;
        }
#pragma warning disable CA1031 // The writer thread must never die: an exception there would end the process; a failed write only loses a checkpoint.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    public static bool ReadFile(string path, SpilledCheckpoint c, Span<byte> destination)
    {
        try
        {
            using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (file.Length != HeaderBytes + c.Length)
            {
                return false;
            }

            Span<byte> header = stackalloc byte[HeaderBytes];
            file.ReadExactly(header);
            file.ReadExactly(destination);
            return BinaryPrimitives.ReadInt64LittleEndian(header) == Magic
                && BinaryPrimitives.ReadInt32LittleEndian(header[8..]) == c.Position
                && BinaryPrimitives.ReadInt32LittleEndian(header[12..]) == c.Length
                && BinaryPrimitives.ReadUInt64LittleEndian(header[16..]) == XxHash64.HashToUInt64(destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A folder this tier creates is the user's alone (0700); one that exists keeps its mode, and the trust check judges it.</summary>
    public static void CreateUserOnly(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The folder goes on dispose.
        }
    }

    /// <summary>Removes tier folders (<c>PID-GUID</c>) whose process is gone.</summary>
    public static void RemoveAbandoned(string parent)
    {
        foreach (string folder in Directory.EnumerateDirectories(parent))
        {
            string name = Path.GetFileName(folder);
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), out int pid) || pid == Environment.ProcessId || IsAlive(pid))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's or busy: left alone.
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
