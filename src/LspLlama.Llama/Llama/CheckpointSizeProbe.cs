using LLama;
using LLama.Common;
using LLama.Native;
using LspLlama.Native;

namespace LspLlama.Llama;

/// <summary>
/// Measures what one checkpoint of a model weighs: decodes a few tokens into a fresh CPU context and
/// asks llama.cpp for the size of the partial sequence state, as the session backend saves it.
/// </summary>
public static class CheckpointSizeProbe
{
    /// <summary>Bytes of one PARTIAL_ONLY checkpoint after <paramref name="tokens"/> tokens.</summary>
    public static long Measure(string modelPath, int contextSize, int tokens, int batchSize = 256)
    {
        var parameters = new ModelParams(modelPath)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)batchSize,
            UBatchSize = (uint)batchSize,
            GpuLayerCount = 0,
        };
        using LLamaWeights weights = LLamaWeights.LoadFromFile(parameters);
        using LLamaContext context = weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int offset = 0; offset < tokens; offset += batchSize)
        {
            int n = Math.Min(batchSize, tokens - offset);
            batch.Clear();
            for (int i = 0; i < n; i++)
            {
                // Byte-range ids exist in every vocabulary the builder writes.
                batch.Add((offset + i) % 200, offset + i, LLamaSeqId.Zero, i == n - 1);
            }

            DecodeResult result = context.Decode(batch);
            if (result != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"llama_decode failed while measuring a checkpoint: {result}");
            }
        }

        return LlamaSequenceState.GetSize(context.NativeHandle, 0, StateSeqFlags.PartialOnly);
    }
}
