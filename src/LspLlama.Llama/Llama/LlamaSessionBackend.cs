using LLama.Native;
using Microsoft.Extensions.Logging;
using LspLlama.Core.Session;
using LspLlama.Native;

namespace LspLlama.Llama;

/// <summary>
/// <see cref="ISessionBackend"/> over one LLamaSharp context, sequence 0. Decoding goes through
/// LLamaSharp (its inference lock included); cuts and partial states use llama.cpp directly,
/// because LLamaSharp drops seq_rm's result and has no flags on the state calls.
/// The context must outlive this object; one thread uses it at a time.
/// </summary>
public sealed unsafe class LlamaSessionBackend : ISessionBackend
{
    private const int Sequence = 0;
    private static readonly Action<ILogger, string, Exception?> s_probed =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(1, "MemoryProbed"), "model session {Memory}");

    private readonly SafeLLamaContextHandle _context;
    private readonly LLamaBatch _batch = new();
    private int _lastBatchCount;

    public LlamaSessionBackend(SafeLLamaContextHandle context, ILogger? logger = null)
    {
        _context = context;
        ContextSize = checked((int)context.ContextSize);
        BatchSize = checked((int)context.BatchSize);
        MicroBatchSize = checked((int)context.UBatchSize);
        Probe = MemoryProbe.Run(this, context);
        if (logger is not null)
        {
            s_probed(logger, Probe.Describe(), null);
        }
    }

    /// <summary>The context itself, for whole-state transfers (the session store); same thread rules.</summary>
    public SafeLLamaContextHandle Context => _context;

    /// <summary>How the memory kind was found, for the log and the status command.</summary>
    public MemoryProbe Probe { get; }

    public MemoryKind MemoryKind => Probe.Kind;

    public int SlidingWindow => Probe.SlidingWindow;

    public int ContextSize { get; }

    public int BatchSize { get; }

    public int MicroBatchSize { get; }

    /// <summary>Logits of the last decoded token (valid until the next decode).</summary>
    public Span<float> Logits() => _context.GetLogitsIth(_lastBatchCount - 1);

    public void Decode(ReadOnlySpan<int> tokens, int startPosition)
    {
        if (tokens.IsEmpty || tokens.Length > BatchSize)
        {
            throw new ArgumentException($"a batch takes 1 to {BatchSize} tokens, not {tokens.Length}", nameof(tokens));
        }

        _batch.Clear();
        for (int i = 0; i < tokens.Length; i++)
        {
            _batch.Add(tokens[i], startPosition + i, LLamaSeqId.Zero, i == tokens.Length - 1);
        }

        DecodeResult result = _context.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode failed at position {startPosition} ({tokens.Length} tokens): {result}");
        }

        _lastBatchCount = tokens.Length;
    }

    public bool TryRemoveTail(int fromPosition) => LlamaMemory.SequenceRemove(_context, Sequence, fromPosition, -1);

    public void Clear()
    {
        // Removing a whole sequence never fails.
        LlamaMemory.SequenceRemove(_context, Sequence, -1, -1);
        _lastBatchCount = 0;
    }

    public int SequenceMinPosition() => LlamaMemory.SequenceMinPosition(_context, Sequence);

    public int PartialStateSize() => checked((int)LlamaSequenceState.GetSize(_context, Sequence, StateSeqFlags.PartialOnly));

    public int SavePartialState(Span<byte> destination)
    {
        nuint written;
        fixed (byte* p = destination)
        {
            written = LlamaApi.StateSeqGetDataExt(_context.DangerousGetHandle(), p, (nuint)destination.Length, Sequence, (uint)StateSeqFlags.PartialOnly);
        }

        GC.KeepAlive(_context);
        return checked((int)written);
    }

    public bool RestorePartialState(ReadOnlySpan<byte> source) =>
        LlamaSequenceState.Restore(_context, source, Sequence, StateSeqFlags.PartialOnly);
}
