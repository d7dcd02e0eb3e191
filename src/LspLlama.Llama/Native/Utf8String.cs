using System.Text;

namespace LspLlama.Native;

/// <summary>Null-terminated UTF-8 copies of managed strings for native calls.</summary>
public static class Utf8String
{
    public static byte[] Terminated(string value)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    public static unsafe string? FromNative(byte* value) =>
        value is null ? null : Encoding.UTF8.GetString(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(value));
}
