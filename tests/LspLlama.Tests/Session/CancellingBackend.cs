using LspLlama.Core.Session;

namespace LspLlama.Tests.Session;

/// <summary>Passes everything to a real backend and cancels a token after a given number of decodes.</summary>
internal sealed class CancellingBackend(ISessionBackend inner) : ISessionBackend
{
    private int _decodes;
    private int _cancelAfter = -1;
    private CancellationTokenSource? _source;

    public MemoryKind MemoryKind => inner.MemoryKind;

    public int SlidingWindow => inner.SlidingWindow;

    public int ContextSize => inner.ContextSize;

    public int BatchSize => inner.BatchSize;

    public int MicroBatchSize => inner.MicroBatchSize;

    /// <summary>Cancels <paramref name="source"/> after <paramref name="decodes"/> more decode calls.</summary>
    public void CancelAfter(CancellationTokenSource source, int decodes)
    {
        _source = source;
        _cancelAfter = decodes;
        _decodes = 0;
    }

    public void Decode(ReadOnlySpan<int> tokens, int startPosition)
    {
        inner.Decode(tokens, startPosition);
        if (++_decodes == _cancelAfter)
        {
            _source?.Cancel();
        }
    }

    public bool TryRemoveTail(int fromPosition) => inner.TryRemoveTail(fromPosition);

    public void Clear() => inner.Clear();

    public int SequenceMinPosition() => inner.SequenceMinPosition();

    public int PartialStateSize() => inner.PartialStateSize();

    public int SavePartialState(Span<byte> destination) => inner.SavePartialState(destination);

    public bool RestorePartialState(ReadOnlySpan<byte> source) => inner.RestorePartialState(source);
}
