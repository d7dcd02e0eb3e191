namespace LspLlama.Models;

/// <summary>Architectures the tiny-model builder can make, one or more per memory kind.</summary>
public enum ModelArch
{
    /// <summary><c>llama</c>: attention only; the KV cache can be cut anywhere.</summary>
    Llama,

    /// <summary><c>mamba2</c>: pure recurrent; no cut is possible.</summary>
    Mamba2,

    /// <summary><c>granitehybrid</c>: Mamba2 layers plus attention layers (Granite-4.0-H).</summary>
    GraniteHybrid,

    /// <summary><c>lfm2</c>: short-convolution layers plus attention layers.</summary>
    Lfm2,

    /// <summary><c>qwen35</c>: gated delta-net layers plus full attention every second layer.</summary>
    Qwen35,

    /// <summary><c>gemma2</c>: alternating sliding-window and full attention (iSWA KV cache).</summary>
    Gemma2,
}

/// <summary>Names of architectures as llama.cpp spells them.</summary>
public static class ModelArchNames
{
    public static string GgufName(this ModelArch arch) => arch switch
    {
        ModelArch.Llama => "llama",
        ModelArch.Mamba2 => "mamba2",
        ModelArch.GraniteHybrid => "granitehybrid",
        ModelArch.Lfm2 => "lfm2",
        ModelArch.Qwen35 => "qwen35",
        ModelArch.Gemma2 => "gemma2",
        _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, null),
    };

    public static bool TryParse(string name, out ModelArch arch)
    {
        foreach (ModelArch candidate in Enum.GetValues<ModelArch>())
        {
            if (string.Equals(candidate.GgufName(), name, StringComparison.OrdinalIgnoreCase))
            {
                arch = candidate;
                return true;
            }
        }

        arch = default;
        return false;
    }

    public static string AllNames => string.Join(", ", Enum.GetValues<ModelArch>().Select(a => a.GgufName()));
}
