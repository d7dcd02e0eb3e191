using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LspLlama.Native;

namespace LspLlama.Models;

/// <summary>
/// Fills each tensor llama.cpp creates with deterministic pseudo-random values: the stream depends
/// only on the seed and the tensor's name, so the same options give byte-identical files.
/// Only integer arithmetic and + − × feed the values, so they do not depend on the math library.
/// </summary>
public sealed class TensorFill
{
    private const int GgmlTypeF32 = 0;
    private const int GgmlTypeF16 = 1;

    private readonly ulong _seed;

    public TensorFill(ulong seed) => _seed = seed;

    /// <summary>The first failure inside the callback (exceptions must not cross into native code).</summary>
    public string? Error { get; private set; }

    public int TensorCount { get; private set; }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static void Callback(nint tensor, nint userData)
    {
        var fill = (TensorFill?)GCHandle.FromIntPtr(userData).Target;
        if (fill is null || fill.Error is not null)
        {
            return;
        }

        try
        {
            fill.Fill(tensor);
        }
        catch (Exception e)
        {
            fill.Error = e.Message;
        }
    }

    private unsafe void Fill(nint tensor)
    {
        // ggml_tensor starts with its enum ggml_type.
        int type = *(int*)tensor;
        string name = Utf8String.FromNative(GgufApi.TensorGetName(tensor)) ?? string.Empty;
        long count = GgufApi.TensorNElements(tensor);
        var random = new SplitMix64(_seed ^ Fnv1a(name));
        float[] values = new float[count];
        (float center, float spread) = Distribution(name);
        for (long i = 0; i < count; i++)
        {
            values[i] = center + (spread * random.NextApproximateNormal());
        }

        if (type == GgmlTypeF32)
        {
            fixed (float* p = values)
            {
                GgufApi.BackendTensorSet(tensor, p, 0, (nuint)(count * sizeof(float)));
            }
        }
        else if (type == GgmlTypeF16)
        {
            var halves = new Half[count];
            for (long i = 0; i < count; i++)
            {
                halves[i] = (Half)values[i];
            }

            fixed (Half* p = halves)
            {
                GgufApi.BackendTensorSet(tensor, p, 0, (nuint)(count * sizeof(Half)));
            }
        }
        else
        {
            throw new ModelBuildException($"tensor '{name}' has ggml type {type}; only F32 and F16 can be filled");
        }

        TensorCount++;
    }

    private static (float Center, float Spread) Distribution(string name)
    {
        // Norm weights near 1 keep activations alive through the layers.
        if (name.Contains("norm", StringComparison.Ordinal))
        {
            return (1f, 0.02f);
        }

        // State decay (A = -exp(A_log)) must be negative, or recurrent state grows without bound
        // over long contexts and turns into NaN.
        if (name.Contains("ssm_a", StringComparison.Ordinal))
        {
            return (-1f, 0.2f);
        }

        return (0f, 0.02f);
    }

    private static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        private ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private float NextUniform() => (Next() >> 40) * (1f / (1 << 24));

        /// <summary>Irwin–Hall: four uniforms, centred and scaled to unit variance.</summary>
        public float NextApproximateNormal() =>
            (NextUniform() + NextUniform() + NextUniform() + NextUniform() - 2f) * 1.7320508f;
    }
}
