using System.Runtime.InteropServices;

namespace LspLlama.Native;

/// <summary>
/// llama.cpp functions LLamaSharp 0.30.0 does not wrap (or wraps lossily), called through function
/// pointers resolved from the library LLamaSharp loaded. Signatures follow <c>include/llama.h</c>
/// at 815a2a59; C <c>bool</c> is one byte.
/// </summary>
public static unsafe class LlamaApi
{
    public static readonly delegate* unmanaged[Cdecl]<nint, nint> GetMemory =
        (delegate* unmanaged[Cdecl]<nint, nint>)NativeLibraryHandle.Llama("llama_get_memory");

    public static readonly delegate* unmanaged[Cdecl]<nint, int, int, int, byte> MemorySeqRm =
        (delegate* unmanaged[Cdecl]<nint, int, int, int, byte>)NativeLibraryHandle.Llama("llama_memory_seq_rm");

    public static readonly delegate* unmanaged[Cdecl]<nint, int, int> MemorySeqPosMin =
        (delegate* unmanaged[Cdecl]<nint, int, int>)NativeLibraryHandle.Llama("llama_memory_seq_pos_min");

    public static readonly delegate* unmanaged[Cdecl]<nint, int, int> MemorySeqPosMax =
        (delegate* unmanaged[Cdecl]<nint, int, int>)NativeLibraryHandle.Llama("llama_memory_seq_pos_max");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte> MemoryCanShift =
        (delegate* unmanaged[Cdecl]<nint, byte>)NativeLibraryHandle.Llama("llama_memory_can_shift");

    public static readonly delegate* unmanaged[Cdecl]<nint, int, uint, nuint> StateSeqGetSizeExt =
        (delegate* unmanaged[Cdecl]<nint, int, uint, nuint>)NativeLibraryHandle.Llama("llama_state_seq_get_size_ext");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, nuint, int, uint, nuint> StateSeqGetDataExt =
        (delegate* unmanaged[Cdecl]<nint, byte*, nuint, int, uint, nuint>)NativeLibraryHandle.Llama("llama_state_seq_get_data_ext");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, nuint, int, uint, nuint> StateSeqSetDataExt =
        (delegate* unmanaged[Cdecl]<nint, byte*, nuint, int, uint, nuint>)NativeLibraryHandle.Llama("llama_state_seq_set_data_ext");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte> ModelIsHybrid =
        (delegate* unmanaged[Cdecl]<nint, byte>)NativeLibraryHandle.Llama("llama_model_is_hybrid");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte> ModelIsRecurrent =
        (delegate* unmanaged[Cdecl]<nint, byte>)NativeLibraryHandle.Llama("llama_model_is_recurrent");

    public static readonly delegate* unmanaged[Cdecl]<nint, int> ModelNSwa =
        (delegate* unmanaged[Cdecl]<nint, int>)NativeLibraryHandle.Llama("llama_model_n_swa");

    public static readonly delegate* unmanaged[Cdecl]<NativeModelParams> ModelDefaultParams =
        (delegate* unmanaged[Cdecl]<NativeModelParams>)NativeLibraryHandle.Llama("llama_model_default_params");

    /// <summary><c>llama_model_init_from_user(gguf_context*, set_tensor_data_cb, void* ud, llama_model_params)</c>.</summary>
    public static readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, nint, void>, nint, NativeModelParams, nint> ModelInitFromUser =
        (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<nint, nint, void>, nint, NativeModelParams, nint>)NativeLibraryHandle.Llama("llama_model_init_from_user");

    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, void> ModelSaveToFile =
        (delegate* unmanaged[Cdecl]<nint, byte*, void>)NativeLibraryHandle.Llama("llama_model_save_to_file");

    public static readonly delegate* unmanaged[Cdecl]<nint, void> ModelFree =
        (delegate* unmanaged[Cdecl]<nint, void>)NativeLibraryHandle.Llama("llama_model_free");
}

/// <summary>
/// Blittable mirror of <c>struct llama_model_params</c> at 815a2a59 (72 bytes on 64-bit). LLamaSharp's
/// own struct holds a managed delegate, so it cannot cross a function pointer.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct NativeModelParams
{
    public nint Devices;
    public nint TensorBufferOverrides;
    public int GpuLayerCount;
    public int SplitMode;
    public int LoadMode;
    public int MainGpu;
    public nint TensorSplit;
    public nint ProgressCallback;
    public nint ProgressCallbackUserData;
    public nint KvOverrides;
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}
