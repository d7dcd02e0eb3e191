using LLama;
using LLama.Common;
using LLama.Native;

namespace LspLlama.Tests.Support;

/// <summary>A loaded tiny model with one context, and the few decode helpers model tests need.</summary>
internal sealed class ModelRunner : IDisposable
{
    private readonly LLamaBatch _batch = new();

    /// <summary>Loads on the CPU. <paramref name="swaFull"/> false (llama-server's default) keeps SWA caches window-sized.</summary>
    public ModelRunner(string path, int contextSize = 256, int batchSize = 64, uint recurrentRollback = 0, bool swaFull = false)
    {
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)batchSize,
            UBatchSize = (uint)batchSize,
            GpuLayerCount = 0,
            Threads = 2,
            BatchThreads = 2,
            SwaFull = swaFull,
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

    public SafeLlamaModelHandle Model => Weights.NativeHandle;

    /// <summary>Decodes <paramref name="tokens"/> at positions from <paramref name="start"/>, in batches; returns the last token's logits.</summary>
    public float[] Decode(IReadOnlyList<int> tokens, int start)
    {
        int batchSize = (int)Handle.BatchSize;
        float[] logits = [];
        for (int offset = 0; offset < tokens.Count; offset += batchSize)
        {
            int n = Math.Min(batchSize, tokens.Count - offset);
            _batch.Clear();
            for (int i = 0; i < n; i++)
            {
                _batch.Add(tokens[offset + i], start + offset + i, LLamaSeqId.Zero, i == n - 1);
            }

            DecodeResult result = Context.Decode(_batch);
            if (result != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"llama_decode failed: {result}");
            }

            logits = Handle.GetLogitsIth(n - 1).ToArray();
        }

        return logits;
    }

    /// <summary>Empties the memory and decodes <paramref name="tokens"/> from scratch; returns the last logits.</summary>
    public float[] DecodeFresh(IReadOnlyList<int> tokens)
    {
        Handle.MemoryClear();
        return Decode(tokens, 0);
    }

    public void Dispose()
    {
        Context.Dispose();
        Weights.Dispose();
    }
}
