using LLama;
using LLama.Common;
using LLama.Native;

namespace LspLlama.Tests.Session;

/// <summary>
/// A tiny model with one context made for session tests. Unlike llama.cpp's library default,
/// the sliding-window cache is not full-size (as in llama-server), so a long sequence evicts
/// window positions and early edits must restore checkpoints.
/// </summary>
internal sealed class SessionModel : IDisposable
{
    private readonly LLamaBatch _batch = new();

    public SessionModel(string path, int contextSize, int batchSize, uint recurrentRollback)
    {
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)batchSize,
            UBatchSize = (uint)batchSize,
            GpuLayerCount = 0,
            Threads = 2,
            BatchThreads = 2,
            SwaFull = false,
        };
        if (recurrentRollback > 0)
        {
            parameters.RecurrentRollbackSnapshots = recurrentRollback;
        }

        Weights = LLamaWeights.LoadFromFile(parameters);
        Context = Weights.CreateContext(parameters);
    }

    public LLamaWeights Weights { get; }

    public LLamaContext Context { get; }

    public SafeLLamaContextHandle Handle => Context.NativeHandle;

    /// <summary>Empties the memory and decodes <paramref name="tokens"/> from scratch; returns the last logits.</summary>
    public float[] DecodeFresh(IReadOnlyList<int> tokens)
    {
        Handle.MemoryClear();
        int batchSize = (int)Handle.BatchSize;
        float[] logits = [];
        for (int offset = 0; offset < tokens.Count; offset += batchSize)
        {
            int n = Math.Min(batchSize, tokens.Count - offset);
            _batch.Clear();
            for (int i = 0; i < n; i++)
            {
                _batch.Add(tokens[offset + i], offset + i, LLamaSeqId.Zero, i == n - 1);
            }

            DecodeResult result = Handle.Decode(_batch);
            if (result != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"llama_decode failed: {result}");
            }

            logits = Handle.GetLogitsIth(n - 1).ToArray();
        }

        return logits;
    }

    public void Dispose()
    {
        Context.Dispose();
        Weights.Dispose();
    }
}
