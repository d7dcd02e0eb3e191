using LspLlama.Native;

namespace LspLlama.Models;

/// <summary>
/// The metadata llama.cpp needs to create each architecture from nothing, and the checks that keep
/// impossible sizes away from native code (where they would abort the process, not throw).
/// </summary>
public static class ArchitectureSpec
{
    private const float RmsEpsilon = 1e-5f;

    /// <summary>Every problem with the options, in words; empty when the model can be built.</summary>
    public static IReadOnlyList<string> Problems(ModelBuildOptions o)
    {
        var problems = new List<string>();
        if (o.Layers < 1 || o.Layers > 256)
        {
            problems.Add($"--layers must be between 1 and 256, not {o.Layers}");
        }

        if (o.Embedding < 8 || o.Embedding > 16384 || o.Embedding % 8 != 0)
        {
            problems.Add($"--embd must be a multiple of 8 between 8 and 16384, not {o.Embedding}");
        }

        if (o.ContextLength < 16)
        {
            problems.Add($"the context length must be at least 16, not {o.ContextLength}");
        }

        if (FeedForward(o) < 1)
        {
            problems.Add($"the feed-forward width must be positive, not {FeedForward(o)}");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        switch (o.Arch)
        {
            case ModelArch.Llama:
            case ModelArch.Gemma2:
            case ModelArch.Lfm2:
                CheckAttention(o, problems);
                break;
            case ModelArch.Mamba2:
                CheckMamba(o, problems);
                break;
            case ModelArch.GraniteHybrid:
                CheckAttention(o, problems);
                CheckMamba(o, problems);
                if (SsmInner(o) != 2 * o.Embedding)
                {
                    problems.Add($"granitehybrid needs an SSM inner size of 2 × embedding = {2 * o.Embedding}, not {SsmInner(o)}");
                }

                break;
            case ModelArch.Qwen35:
                CheckAttention(o, problems);
                CheckQwen35(o, problems);
                break;
        }

        if (o.Arch is ModelArch.GraniteHybrid or ModelArch.Lfm2 or ModelArch.Qwen35 && o.Layers < 2)
        {
            problems.Add($"{o.Arch.GgufName()} needs at least 2 layers (one recurrent, one attention)");
        }

        if (o.Arch == ModelArch.Gemma2 && (SlidingWindow(o) < 1 || SlidingWindow(o) >= o.ContextLength))
        {
            problems.Add($"the sliding window must be between 1 and the context length, not {SlidingWindow(o)}");
        }

        return problems;
    }

    /// <summary>Writes <c>general.*</c> and <c>&lt;arch&gt;.*</c> keys for options that passed <see cref="Problems"/>.</summary>
    public static void Write(GgufContext g, ModelBuildOptions o, int vocabSize)
    {
        string a = o.Arch.GgufName();
        g.Set("general.architecture", a);
        g.Set("general.name", $"lspllama-tiny-{a}");
        g.SetUInt32("general.file_type", 0);
        g.SetUInt32($"{a}.vocab_size", (uint)vocabSize);
        g.SetUInt32($"{a}.context_length", (uint)o.ContextLength);
        g.SetUInt32($"{a}.embedding_length", (uint)o.Embedding);
        g.SetUInt32($"{a}.block_count", (uint)o.Layers);
        g.SetUInt32($"{a}.feed_forward_length", (uint)FeedForward(o));
        g.SetFloat32($"{a}.attention.layer_norm_rms_epsilon", RmsEpsilon);

        switch (o.Arch)
        {
            case ModelArch.Llama:
                g.SetUInt32($"{a}.attention.head_count", (uint)Heads(o));
                g.SetUInt32($"{a}.attention.head_count_kv", (uint)KvHeads(o));
                break;
            case ModelArch.Gemma2:
                g.SetUInt32($"{a}.attention.head_count", (uint)Heads(o));
                g.SetUInt32($"{a}.attention.head_count_kv", (uint)KvHeads(o));
                g.SetUInt32($"{a}.attention.sliding_window", (uint)SlidingWindow(o));
                g.SetFloat32($"{a}.attn_logit_softcapping", 50f);
                g.SetFloat32($"{a}.final_logit_softcapping", 30f);
                break;
            case ModelArch.Mamba2:
                WriteMamba(g, a, o);
                break;
            case ModelArch.GraniteHybrid:
                WriteMamba(g, a, o);

                // head_count_kv 0 marks a Mamba2 layer; layer 1 (then every fourth) is attention.
                g.SetUInt32Array($"{a}.attention.head_count", Repeat((uint)Heads(o), o.Layers));
                g.SetUInt32Array($"{a}.attention.head_count_kv", PerLayer(o.Layers, i => i % 4 == 1, (uint)KvHeads(o)));
                break;
            case ModelArch.Lfm2:
                // head_count must stay non-zero on every layer (a zero head dim asserts while loading);
                // head_count_kv 0 marks a short-convolution layer. Odd layers are attention.
                g.SetUInt32($"{a}.attention.head_count", (uint)Heads(o));
                g.SetUInt32Array($"{a}.attention.head_count_kv", PerLayer(o.Layers, i => i % 2 == 1, (uint)KvHeads(o)));
                g.SetUInt32($"{a}.shortconv.l_cache", 3);
                break;
            case ModelArch.Qwen35:
                int headDim = o.Embedding / Heads(o);
                g.SetUInt32($"{a}.attention.head_count", (uint)Heads(o));
                g.SetUInt32($"{a}.attention.head_count_kv", (uint)KvHeads(o));
                g.SetUInt32Array($"{a}.rope.dimension_sections", Repeat((uint)(headDim / 4), 4));
                g.SetUInt32($"{a}.full_attention_interval", 2);
                g.SetUInt32($"{a}.ssm.conv_kernel", 4);
                g.SetUInt32($"{a}.ssm.inner_size", (uint)SsmInner(o));
                g.SetUInt32($"{a}.ssm.state_size", (uint)SsmState(o));
                g.SetUInt32($"{a}.ssm.time_step_rank", (uint)Qwen35ValueHeads);
                g.SetUInt32($"{a}.ssm.group_count", (uint)Qwen35KeyHeads);
                break;
        }
    }

    // Defaults are derived from the embedding so that any valid width gives a valid model.
    private const int MambaHeadDim = 16;
    private const int Qwen35ValueHeads = 2;
    private const int Qwen35KeyHeads = 2;

    private static int Heads(ModelBuildOptions o) => o.HeadCount ?? (o.Arch == ModelArch.Qwen35 ? 2 : 4);

    private static int KvHeads(ModelBuildOptions o) => o.KvHeadCount ?? 2;

    private static int FeedForward(ModelBuildOptions o) => o.FeedForward ?? 2 * o.Embedding;

    private static int SsmInner(ModelBuildOptions o) => o.SsmInnerSize ?? (o.Arch == ModelArch.Qwen35 ? o.Embedding : 2 * o.Embedding);

    private static int SsmState(ModelBuildOptions o) => o.SsmStateSize ?? (o.Arch == ModelArch.Qwen35 ? 32 : 16);

    private static int SlidingWindow(ModelBuildOptions o) => o.SlidingWindow ?? 32;

    private static void CheckAttention(ModelBuildOptions o, List<string> problems)
    {
        int heads = Heads(o);
        int kv = KvHeads(o);
        if (heads < 1 || o.Embedding % heads != 0)
        {
            problems.Add($"the head count ({heads}) must divide the embedding ({o.Embedding})");
            return;
        }

        if ((o.Embedding / heads) % 2 != 0 || (o.Arch == ModelArch.Qwen35 && (o.Embedding / heads) % 8 != 0))
        {
            problems.Add($"the head dimension embedding/heads = {o.Embedding / heads} must be even (a multiple of 8 for qwen35), for rotary embeddings");
        }

        if (kv < 1 || heads % kv != 0)
        {
            problems.Add($"the key/value head count ({kv}) must divide the head count ({heads})");
        }
    }

    private static void CheckMamba(ModelBuildOptions o, List<string> problems)
    {
        int inner = SsmInner(o);
        if (inner < MambaHeadDim || inner % MambaHeadDim != 0)
        {
            problems.Add($"the SSM inner size must be a positive multiple of {MambaHeadDim}, not {inner}");
        }

        if (SsmState(o) < 1)
        {
            problems.Add($"the SSM state size must be positive, not {SsmState(o)}");
        }
    }

    private static void CheckQwen35(ModelBuildOptions o, List<string> problems)
    {
        int inner = SsmInner(o);
        if (inner < Qwen35ValueHeads || inner % Qwen35ValueHeads != 0)
        {
            problems.Add($"the qwen35 SSM inner size must be a positive multiple of {Qwen35ValueHeads}, not {inner}");
        }

        if (SsmState(o) < 1)
        {
            problems.Add($"the SSM state size must be positive, not {SsmState(o)}");
        }
    }

    private static void WriteMamba(GgufContext g, string a, ModelBuildOptions o)
    {
        g.SetUInt32($"{a}.ssm.conv_kernel", 4);
        g.SetUInt32($"{a}.ssm.inner_size", (uint)SsmInner(o));
        g.SetUInt32($"{a}.ssm.state_size", (uint)SsmState(o));
        g.SetUInt32($"{a}.ssm.time_step_rank", (uint)(SsmInner(o) / MambaHeadDim));
        g.SetUInt32($"{a}.ssm.group_count", 1);
    }

    private static uint[] Repeat(uint value, int count) => Enumerable.Repeat(value, count).ToArray();

    private static uint[] PerLayer(int layers, Func<int, bool> isAttention, uint value) =>
        Enumerable.Range(0, layers).Select(i => isAttention(i) ? value : 0u).ToArray();
}
