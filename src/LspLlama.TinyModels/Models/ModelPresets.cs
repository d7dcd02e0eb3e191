namespace LspLlama.Models;

/// <summary>
/// The presets of <c>make-model --like</c>. Recurrent states are F32 and KV caches F16 (llama.cpp's
/// defaults), so a checkpoint is 4 bytes per recurrent value and 2 per cached key or value.
/// The weights of the tiny models are random and their width small; only the memory is to scale.
/// </summary>
public static class ModelPresets
{
    private const long F32 = 4;
    private const long F16 = 2;

    /// <summary>Mamba2 layer state: the SSM state (d_state × d_inner) and the convolution tail ((d_conv − 1) × (d_inner + 2 × groups × d_state)).</summary>
    private static long Mamba2Layer(long inner, long state, long groups = 1) =>
        F32 * ((state * inner) + (3 * (inner + (2 * groups * state))));

    /// <summary>Gated delta-net layer state: key-dim × value-dim per value head, and the convolution tail over q, k and v.</summary>
    private static long DeltaNetLayer(long keyHeads, long valueHeads, long keyDim, long valueDim) =>
        F32 * ((keyDim * valueDim * valueHeads) + (3 * ((valueDim * valueHeads) + (2 * keyHeads * keyDim))));

    public static IReadOnlyList<ModelPreset> All { get; } =
    [
        new(
            "granite-4.0-h-small",
            "IBM Granite-4.0-H-Small: 40 layers, 4 attention (every tenth), hidden 4096, Mamba2 d_inner 8192 (expand 2), d_state 128, 1 group, d_conv 4",
            36 * Mamba2Layer(inner: 8192, state: 128),
            "llama.cpp ties d_inner to 2 × embedding, so the embedding shrinks to 128 (d_inner 256) and d_state grows to 4096: " +
            "d_state × d_inner and the convolution width (d_inner + 2 × d_state = 8448) are both unchanged; same 40 layers, same attention layers",
            new ModelBuildOptions { Arch = ModelArch.GraniteHybrid, Layers = 40, Embedding = 128, SsmStateSize = 4096, AttentionLayers = [9, 19, 29, 39] },
            MeasureTokens: 8,
            MeasureContext: 256),
        new(
            "granite-4.0-h-tiny",
            "IBM Granite-4.0-H-Tiny: 40 layers, 4 attention (every tenth), hidden 1536, Mamba2 d_inner 3072, d_state 128, 1 group, d_conv 4",
            36 * Mamba2Layer(inner: 3072, state: 128),
            "embedding 64 (d_inner 128, tied) and d_state 3072 keep d_state × d_inner; the convolution tail is 6272 wide instead of 3328 (+2% in all); same layers",
            new ModelBuildOptions { Arch = ModelArch.GraniteHybrid, Layers = 40, Embedding = 64, SsmStateSize = 3072, AttentionLayers = [9, 19, 29, 39] },
            MeasureTokens: 8,
            MeasureContext: 256),
        new(
            "qwen3.6-35b-a3b",
            "Qwen3.6-35B-A3B: 40 layers, full attention every fourth (30 gated delta-net layers), 16 key heads and 32 value heads of 128",
            30 * DeltaNetLayer(keyHeads: 16, valueHeads: 32, keyDim: 128, valueDim: 128),
            "the delta-net state does not depend on the embedding, so only the embedding shrinks (64); the delta-net heads are the real ones " +
            "(llama.cpp needs value heads as wide as key heads); same 40 layers and interval",
            new ModelBuildOptions
            {
                Arch = ModelArch.Qwen35, Layers = 40, Embedding = 64, SsmInnerSize = 4096, SsmStateSize = 128, LinearValueHeads = 32, LinearKeyHeads = 16,
                FullAttentionInterval = 4,
            },
            MeasureTokens: 8,
            MeasureContext: 256),
        new(
            "qwen3.5-9b",
            "Qwen3.5-9B: 32 layers, full attention every fourth (24 gated delta-net layers), 16 key heads and 32 value heads of 128",
            24 * DeltaNetLayer(keyHeads: 16, valueHeads: 32, keyDim: 128, valueDim: 128),
            "as qwen3.6-35b-a3b: only the embedding shrinks (64); real delta-net heads; same 32 layers and interval",
            new ModelBuildOptions
            {
                Arch = ModelArch.Qwen35, Layers = 32, Embedding = 64, SsmInnerSize = 4096, SsmStateSize = 128, LinearValueHeads = 32, LinearKeyHeads = 16,
                FullAttentionInterval = 4,
            },
            MeasureTokens: 8,
            MeasureContext: 256),
        new(
            "lfm2-2.6b",
            "LiquidAI LFM2-2.6B: 30 layers, 22 short-convolution and 8 attention, hidden 2048, convolution length 3 (a state of 2 × 2048 per layer)",
            22 * F32 * 2 * 2048,
            "the convolution state is (length − 1) × embedding, so embedding 256 with length 17 keeps it exactly; " +
            "the 8 attention layers are spread evenly (a checkpoint holds only the convolution layers, so where they sit does not change its size)",
            new ModelBuildOptions { Arch = ModelArch.Lfm2, Layers = 30, Embedding = 256, ShortConvLength = 17, AttentionLayers = [2, 6, 10, 14, 17, 21, 25, 28] },
            MeasureTokens: 8,
            MeasureContext: 256),
        new(
            "gemma-3-4b",
            "Google Gemma-3-4B: 34 layers, five sliding-window layers to one global (29 SWA), window 1024, 4 KV heads of 256",
            SwaWindowBytes(swaLayers: 29, kvHeads: 4, headDim: 256, window: 1024),
            "the window's KV is window × SWA layers × 2 × KV heads × head dim × 2 bytes, all kept: window 1024, 29 SWA layers, 4 KV heads of 256 " +
            "(key_length) over an embedding of 64. llama.cpp cannot write gemma3 files, so gemma2 stands in: its layers alternate " +
            "sliding-window and global 1:1, so 58 layers give the 29 SWA layers (the global layers' KV is not in a checkpoint)",
            new ModelBuildOptions { Arch = ModelArch.Gemma2, Layers = 58, Embedding = 64, HeadCount = 4, KvHeadCount = 4, HeadDim = 256, SlidingWindow = 1024 },
            MeasureTokens: 1024 + 256,
            MeasureContext: 2048),
    ];

    private static long SwaWindowBytes(long swaLayers, long kvHeads, long headDim, long window) =>
        window * swaLayers * 2 * kvHeads * headDim * F16;

    public static string Names => string.Join(", ", All.Select(p => p.Name));

    public static ModelPreset? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
