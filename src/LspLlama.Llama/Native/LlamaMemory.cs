using LLama.Native;

namespace LspLlama.Native;

/// <summary>Flags of <c>llama_state_seq_*_ext</c>.</summary>
[Flags]
public enum StateSeqFlags : uint
{
    /// <summary>The full sequence state.</summary>
    None = 0,

    /// <summary>Only the SWA KV (iSWA) or the recurrent state (hybrid); ignored by plain KV and recurrent memory.</summary>
    PartialOnly = 1,

    /// <summary>Data stays in device buffers (not used by LspLlama).</summary>
    OnDevice = 2,
}

/// <summary>
/// The context's memory (KV cache, recurrent state or both) through llama.cpp's memory API,
/// keeping the results LLamaSharp's wrappers discard.
/// </summary>
public static unsafe class LlamaMemory
{
    /// <summary>
    /// Removes positions [<paramref name="from"/>, <paramref name="to"/>) of a sequence (negative: open end).
    /// False when the memory cannot cut there (recurrent and hybrid memory); the memory is then unchanged.
    /// </summary>
    public static bool SequenceRemove(SafeLLamaContextHandle context, int sequence, int from, int to)
    {
        bool removed = LlamaApi.MemorySeqRm(Memory(context), sequence, from, to) != 0;
        GC.KeepAlive(context);
        return removed;
    }

    /// <summary>Smallest position the memory holds for the sequence, -1 when empty.</summary>
    public static int SequenceMinPosition(SafeLLamaContextHandle context, int sequence)
    {
        int position = LlamaApi.MemorySeqPosMin(Memory(context), sequence);
        GC.KeepAlive(context);
        return position;
    }

    /// <summary>Largest position the memory holds for the sequence, -1 when empty.</summary>
    public static int SequenceMaxPosition(SafeLLamaContextHandle context, int sequence)
    {
        int position = LlamaApi.MemorySeqPosMax(Memory(context), sequence);
        GC.KeepAlive(context);
        return position;
    }

    public static bool CanShift(SafeLLamaContextHandle context)
    {
        bool canShift = LlamaApi.MemoryCanShift(Memory(context)) != 0;
        GC.KeepAlive(context);
        return canShift;
    }

    private static nint Memory(SafeLLamaContextHandle context)
    {
        ObjectDisposedException.ThrowIf(context.IsClosed || context.IsInvalid, context);
        return LlamaApi.GetMemory(context.DangerousGetHandle());
    }
}

/// <summary>Sequence state save/restore with flags (LLamaSharp only offers flags 0).</summary>
public static unsafe class LlamaSequenceState
{
    /// <summary>Bytes needed right now; the size changes with the content, so ask just before saving.</summary>
    public static long GetSize(SafeLLamaContextHandle context, int sequence, StateSeqFlags flags)
    {
        long size = (long)LlamaApi.StateSeqGetSizeExt(context.DangerousGetHandle(), sequence, (uint)flags);
        GC.KeepAlive(context);
        return size;
    }

    /// <summary>Copies the sequence state out.</summary>
    public static byte[] Save(SafeLLamaContextHandle context, int sequence, StateSeqFlags flags)
    {
        long size = GetSize(context, sequence, flags);
        byte[] data = new byte[size];
        nuint written;
        fixed (byte* p = data)
        {
            written = LlamaApi.StateSeqGetDataExt(context.DangerousGetHandle(), p, (nuint)data.Length, sequence, (uint)flags);
        }

        GC.KeepAlive(context);
        return (long)written == data.Length ? data : data.AsSpan(0, (int)written).ToArray();
    }

    /// <summary>Restores a state saved with the same flags. False when llama.cpp rejects it (returns 0).</summary>
    public static bool Restore(SafeLLamaContextHandle context, ReadOnlySpan<byte> data, int sequence, StateSeqFlags flags)
    {
        nuint read;
        fixed (byte* p = data)
        {
            read = LlamaApi.StateSeqSetDataExt(context.DangerousGetHandle(), p, (nuint)data.Length, sequence, (uint)flags);
        }

        GC.KeepAlive(context);
        return read != 0;
    }
}

/// <summary>Model facts LLamaSharp does not expose.</summary>
public static class LlamaModelFacts
{
    public static unsafe bool IsHybrid(SafeLlamaModelHandle model) => Query(model, LlamaApi.ModelIsHybrid);

    public static unsafe bool IsRecurrent(SafeLlamaModelHandle model) => Query(model, LlamaApi.ModelIsRecurrent);

    /// <summary>Sliding-window size of the model's SWA layers; 0 when it has none.</summary>
    public static unsafe int SlidingWindow(SafeLlamaModelHandle model)
    {
        int n = LlamaApi.ModelNSwa(model.DangerousGetHandle());
        GC.KeepAlive(model);
        return n;
    }

    private static unsafe bool Query(SafeLlamaModelHandle model, delegate* unmanaged[Cdecl]<nint, byte> function)
    {
        bool value = function(model.DangerousGetHandle()) != 0;
        GC.KeepAlive(model);
        return value;
    }
}
