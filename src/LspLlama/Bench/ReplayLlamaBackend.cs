using LLama;
using LLama.Abstractions;
using LLama.Native;
using LspLlama.Core.Session;
using LspLlama.Native;

namespace LspLlama.Bench;

/// <summary>
/// The model session's backend over one LLamaSharp context, for the bench: one sequence, decode in
/// the batches the session hands it, cut the tail with llama_memory_seq_rm, save and restore the
/// partial state (recurrent state or sliding-window KV) with the _ext state calls.
/// </summary>
/// <remarks>
/// TODO: replace with the server's own LLamaSharp backend once it lands, so that the bench runs
/// exactly the code the server runs below the session as well.
/// </remarks>
internal sealed unsafe class ReplayLlamaBackend : ISessionBackend, IDisposable
{
    private const int Sequence = 0;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();

    public ReplayLlamaBackend(LLamaWeights weights, IContextParams parameters)
    {
        _context = weights.CreateContext(parameters);
        SlidingWindow = LlamaModelFacts.SlidingWindow(weights.NativeHandle);
        MemoryKind = LlamaModelFacts.IsRecurrent(weights.NativeHandle) ? MemoryKind.Recurrent
            : LlamaModelFacts.IsHybrid(weights.NativeHandle) ? MemoryKind.Hybrid
            : SlidingWindow > 0 ? MemoryKind.SlidingWindow
            : MemoryKind.Attention;
    }

    public MemoryKind MemoryKind { get; }

    public int SlidingWindow { get; }

    public int ContextSize => (int)_context.NativeHandle.ContextSize;

    public int BatchSize => (int)_context.NativeHandle.BatchSize;

    public int MicroBatchSize => (int)_context.NativeHandle.UBatchSize;

    private SafeLLamaContextHandle Handle => _context.NativeHandle;

    public void Decode(ReadOnlySpan<int> tokens, int startPosition)
    {
        _batch.Clear();
        for (int i = 0; i < tokens.Length; i++)
        {
            _batch.Add(tokens[i], startPosition + i, LLamaSeqId.Zero, i == tokens.Length - 1);
        }

        DecodeResult result = _context.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode failed ({result}) for {tokens.Length} tokens at {startPosition}");
        }
    }

    public bool TryRemoveTail(int fromPosition) => LlamaMemory.SequenceRemove(Handle, Sequence, fromPosition, -1);

    public void Clear() => LlamaMemory.SequenceRemove(Handle, Sequence, -1, -1);

    public int SequenceMinPosition() => LlamaMemory.SequenceMinPosition(Handle, Sequence);

    public int PartialStateSize() => checked((int)LlamaSequenceState.GetSize(Handle, Sequence, StateSeqFlags.PartialOnly));

    public int SavePartialState(Span<byte> destination)
    {
        nuint written;
        fixed (byte* p = destination)
        {
            written = LlamaApi.StateSeqGetDataExt(Handle.DangerousGetHandle(), p, (nuint)destination.Length, Sequence, (uint)StateSeqFlags.PartialOnly);
        }

        GC.KeepAlive(Handle);
        return (int)written;
    }

    public bool RestorePartialState(ReadOnlySpan<byte> source) =>
        LlamaSequenceState.Restore(Handle, source, Sequence, StateSeqFlags.PartialOnly);

    public void Dispose()
    {
        _context.Dispose();
    }
}
