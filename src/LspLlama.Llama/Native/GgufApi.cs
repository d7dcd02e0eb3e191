using System.Runtime.InteropServices;

namespace LspLlama.Native;

/// <summary>
/// gguf and ggml tensor functions from ggml-base, resolved through LLamaSharp's llama library
/// (see <see cref="NativeLibraryHandle.Ggml"/>). Signatures follow <c>ggml/include/gguf.h</c>.
/// </summary>
public static unsafe class GgufApi
{
    public static readonly delegate* unmanaged[Cdecl]<nint> InitEmpty =
        (delegate* unmanaged[Cdecl]<nint>)NativeLibraryHandle.Ggml("gguf_init_empty");

    public static readonly delegate* unmanaged[Cdecl]<byte*, GgufInitParams, nint> InitFromFile =
        (delegate* unmanaged[Cdecl]<byte*, GgufInitParams, nint>)NativeLibraryHandle.Ggml("gguf_init_from_file");

    public static readonly delegate* unmanaged[Cdecl]<nint, void> Free =
        (delegate* unmanaged[Cdecl]<nint, void>)NativeLibraryHandle.Ggml("gguf_free");

    public static readonly delegate* unmanaged[Cdecl]<nint, long> GetNKv =
        (delegate* unmanaged[Cdecl]<nint, long>)NativeLibraryHandle.Ggml("gguf_get_n_kv");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, long> FindKey =
        (delegate* unmanaged[Cdecl]<nint, byte*, long>)NativeLibraryHandle.Ggml("gguf_find_key");

    public static readonly delegate* unmanaged[Cdecl]<nint, long, byte*> GetKey =
        (delegate* unmanaged[Cdecl]<nint, long, byte*>)NativeLibraryHandle.Ggml("gguf_get_key");

    public static readonly delegate* unmanaged[Cdecl]<nint, long, int> GetKvType =
        (delegate* unmanaged[Cdecl]<nint, long, int>)NativeLibraryHandle.Ggml("gguf_get_kv_type");

    public static readonly delegate* unmanaged[Cdecl]<nint, long, int> GetArrType =
        (delegate* unmanaged[Cdecl]<nint, long, int>)NativeLibraryHandle.Ggml("gguf_get_arr_type");

    public static readonly delegate* unmanaged[Cdecl]<nint, long, nuint> GetArrN =
        (delegate* unmanaged[Cdecl]<nint, long, nuint>)NativeLibraryHandle.Ggml("gguf_get_arr_n");

    public static readonly delegate* unmanaged[Cdecl]<nint, long, byte*> GetValStr =
        (delegate* unmanaged[Cdecl]<nint, long, byte*>)NativeLibraryHandle.Ggml("gguf_get_val_str");

    public static readonly delegate* unmanaged[Cdecl]<nint, long, uint> GetValU32 =
        (delegate* unmanaged[Cdecl]<nint, long, uint>)NativeLibraryHandle.Ggml("gguf_get_val_u32");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, long> RemoveKey =
        (delegate* unmanaged[Cdecl]<nint, byte*, long>)NativeLibraryHandle.Ggml("gguf_remove_key");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, void> SetValStr =
        (delegate* unmanaged[Cdecl]<nint, byte*, byte*, void>)NativeLibraryHandle.Ggml("gguf_set_val_str");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, uint, void> SetValU32 =
        (delegate* unmanaged[Cdecl]<nint, byte*, uint, void>)NativeLibraryHandle.Ggml("gguf_set_val_u32");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, int, void> SetValI32 =
        (delegate* unmanaged[Cdecl]<nint, byte*, int, void>)NativeLibraryHandle.Ggml("gguf_set_val_i32");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, float, void> SetValF32 =
        (delegate* unmanaged[Cdecl]<nint, byte*, float, void>)NativeLibraryHandle.Ggml("gguf_set_val_f32");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, byte, void> SetValBool =
        (delegate* unmanaged[Cdecl]<nint, byte*, byte, void>)NativeLibraryHandle.Ggml("gguf_set_val_bool");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, int, void*, nuint, void> SetArrData =
        (delegate* unmanaged[Cdecl]<nint, byte*, int, void*, nuint, void>)NativeLibraryHandle.Ggml("gguf_set_arr_data");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, byte**, nuint, void> SetArrStr =
        (delegate* unmanaged[Cdecl]<nint, byte*, byte**, nuint, void>)NativeLibraryHandle.Ggml("gguf_set_arr_str");

    public static readonly delegate* unmanaged[Cdecl]<nint, nint, void> SetKv =
        (delegate* unmanaged[Cdecl]<nint, nint, void>)NativeLibraryHandle.Ggml("gguf_set_kv");

    public static readonly delegate* unmanaged[Cdecl]<nint, long> TensorNElements =
        (delegate* unmanaged[Cdecl]<nint, long>)NativeLibraryHandle.Ggml("ggml_nelements");

    public static readonly delegate* unmanaged[Cdecl]<nint, nuint> TensorNBytes =
        (delegate* unmanaged[Cdecl]<nint, nuint>)NativeLibraryHandle.Ggml("ggml_nbytes");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*> TensorGetName =
        (delegate* unmanaged[Cdecl]<nint, byte*>)NativeLibraryHandle.Ggml("ggml_get_name");

    public static readonly delegate* unmanaged[Cdecl]<nint, void*, nuint, nuint, void> BackendTensorSet =
        (delegate* unmanaged[Cdecl]<nint, void*, nuint, nuint, void>)NativeLibraryHandle.Ggml("ggml_backend_tensor_set");
}

/// <summary><c>struct gguf_init_params { bool no_alloc; struct ggml_context ** ctx; }</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GgufInitParams
{
    public byte NoAlloc;
    public nint Context;
}

/// <summary><c>enum gguf_type</c>.</summary>
public enum GgufType
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}
