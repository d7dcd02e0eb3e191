using System.Runtime.InteropServices;

namespace LspLlama.Native;

/// <summary>
/// An owned <c>gguf_context</c> used to assemble model metadata. Not thread-safe; free it with Dispose.
/// </summary>
public sealed unsafe class GgufContext : IDisposable
{
    private nint _handle;

    private GgufContext(nint handle) => _handle = handle;

    public nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(GgufContext));

    public static GgufContext CreateEmpty()
    {
        nint handle = GgufApi.InitEmpty();
        return handle != 0 ? new GgufContext(handle) : throw new InvalidOperationException("gguf_init_empty failed");
    }

    /// <summary>Reads only the metadata of a GGUF file (no tensor data is loaded).</summary>
    public static GgufContext ReadMetadata(string path)
    {
        byte[] utf8 = Utf8String.Terminated(path);
        nint handle;
        fixed (byte* p = utf8)
        {
            handle = GgufApi.InitFromFile(p, new GgufInitParams { NoAlloc = 1, Context = 0 });
        }

        return handle != 0 ? new GgufContext(handle) : throw new InvalidDataException($"'{path}' is not a readable GGUF file");
    }

    public IReadOnlyList<string> Keys
    {
        get
        {
            long n = GgufApi.GetNKv(Handle);
            var keys = new List<string>((int)n);
            for (long i = 0; i < n; i++)
            {
                keys.Add(Utf8String.FromNative(GgufApi.GetKey(Handle, i)) ?? string.Empty);
            }

            return keys;
        }
    }

    public bool Contains(string key) => Find(key) >= 0;

    /// <summary>The string value of <paramref name="key"/>, or null when absent or not a string.</summary>
    public string? GetString(string key)
    {
        long id = Find(key);
        return id >= 0 && GgufApi.GetKvType(Handle, id) == (int)GgufType.String
            ? Utf8String.FromNative(GgufApi.GetValStr(Handle, id))
            : null;
    }

    /// <summary>Length of the array at <paramref name="key"/>, or -1 when absent or not an array.</summary>
    public long GetArrayLength(string key)
    {
        long id = Find(key);
        return id >= 0 && GgufApi.GetKvType(Handle, id) == (int)GgufType.Array ? (long)GgufApi.GetArrN(Handle, id) : -1;
    }

    public void Remove(string key)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        {
            GgufApi.RemoveKey(Handle, k);
        }
    }

    /// <summary>Copies every key/value of <paramref name="source"/> into this context.</summary>
    public void CopyAllFrom(GgufContext source) => GgufApi.SetKv(Handle, source.Handle);

    public void Set(string key, string value)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        fixed (byte* v = Utf8String.Terminated(value))
        {
            GgufApi.SetValStr(Handle, k, v);
        }
    }

    public void SetUInt32(string key, uint value)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        {
            GgufApi.SetValU32(Handle, k, value);
        }
    }

    public void SetFloat32(string key, float value)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        {
            GgufApi.SetValF32(Handle, k, value);
        }
    }

    public void SetBool(string key, bool value)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        {
            GgufApi.SetValBool(Handle, k, value ? (byte)1 : (byte)0);
        }
    }

    public void SetUInt32Array(string key, ReadOnlySpan<uint> values)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        fixed (uint* v = values)
        {
            GgufApi.SetArrData(Handle, k, (int)GgufType.UInt32, v, (nuint)values.Length);
        }
    }

    public void SetInt32Array(string key, ReadOnlySpan<int> values)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        fixed (int* v = values)
        {
            GgufApi.SetArrData(Handle, k, (int)GgufType.Int32, v, (nuint)values.Length);
        }
    }

    public void SetStringArray(string key, IReadOnlyList<string> values)
    {
        // One pinned block holds every string, null-terminated, plus a table of pointers into it.
        var encoded = new byte[values.Count][];
        int total = 0;
        for (int i = 0; i < values.Count; i++)
        {
            encoded[i] = Utf8String.Terminated(values[i]);
            total += encoded[i].Length;
        }

        byte* block = (byte*)NativeMemory.Alloc((nuint)Math.Max(total, 1));
        byte** table = (byte**)NativeMemory.Alloc((nuint)(Math.Max(values.Count, 1) * sizeof(byte*)));
        try
        {
            int offset = 0;
            for (int i = 0; i < encoded.Length; i++)
            {
                encoded[i].CopyTo(new Span<byte>(block + offset, encoded[i].Length));
                table[i] = block + offset;
                offset += encoded[i].Length;
            }

            fixed (byte* k = Utf8String.Terminated(key))
            {
                GgufApi.SetArrStr(Handle, k, table, (nuint)values.Count);
            }
        }
        finally
        {
            NativeMemory.Free(table);
            NativeMemory.Free(block);
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            GgufApi.Free(_handle);
            _handle = 0;
        }
    }

    private long Find(string key)
    {
        fixed (byte* k = Utf8String.Terminated(key))
        {
            return GgufApi.FindKey(Handle, k);
        }
    }
}
