using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LspLlama.Cli;

/// <summary>
/// Moves the protocol off file descriptor 1 at start: the original stdout is duplicated for the
/// protocol alone, and fd 1 then points at stderr. Native code writes to fd 1 without asking
/// (ggml's crash handler prints its backtrace there, a library may <c>printf</c>); with this,
/// whatever it writes lands in the log, never inside an LSP frame.
/// </summary>
internal static partial class ProtocolStdout
{
    private const int StandardOutput = 1;
    private const int StandardError = 2;

    /// <summary>The protocol's output stream: a duplicate of stdout on Unix (fd 1 is then stderr), stdout itself elsewhere.</summary>
    public static Stream Take()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return Console.OpenStandardOutput();
        }

        int protocol = Dup(StandardOutput);
        if (protocol < 0 || Dup2(StandardError, StandardOutput) < 0)
        {
            return Console.OpenStandardOutput(); // Not movable: the old behaviour, logged stdout stays clean of managed writes.
        }

        return new FileStream(new SafeFileHandle(protocol, ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);
}
