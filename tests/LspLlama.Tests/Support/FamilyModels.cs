using LspLlama.Models;

namespace LspLlama.Tests.Support;

/// <summary>
/// Tiny models whose generated vocabulary has exactly one model family's special tokens, spelled
/// and ordered as in that family's tokenizer (ids from 256), with no FIM id keys: llama.cpp finds
/// the FIM tokens by their text, as it does in most published GGUF files.
/// </summary>
internal static class FamilyModels
{
    public static readonly FamilyTokens Qwen = new(
        ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"]);

    public static readonly FamilyTokens CodeLlama = new(
        ["<s>", "</s>", "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"], BosText: "<s>", EosText: "</s>", AddBos: true);

    public static readonly FamilyTokens Codestral = new(
        ["<s>", "</s>", "[INST]", "[/INST]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]"], BosText: "<s>", EosText: "</s>", AddBos: true);

    public static readonly FamilyTokens CodeGemma = new(
        ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_separator|>"],
        BosText: "<bos>", EosText: "<eos>", AddBos: true);

    public static readonly FamilyTokens Granite = new(
        ["<|end_of_text|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>", "<filename>", "<gh_stars>", "<issue_start>",
         "<issue_comment>", "<issue_closed>", "<jupyter_start>", "<jupyter_text>", "<jupyter_code>", "<jupyter_output>", "<empty_output>",
         "<commit_before>", "<commit_msg>", "<commit_after>", "<reponame>"]);

    public static readonly FamilyTokens NoFim = new(["<|endoftext|>"]);

    /// <summary>A FIM spelling of no family with its own format (llama.cpp knows it).</summary>
    public static readonly FamilyTokens OtherFim = new(["<|endoftext|>", "<fim-prefix>", "<fim-suffix>", "<fim-middle>", "<fim-pad>"]);

    /// <summary>The tiny model (llama unless named) with these special tokens.</summary>
    public static string Get(FamilyTokens tokens, ModelArch arch = ModelArch.Llama, string? name = null) =>
        TinyModels.Get(new ModelBuildOptions { Arch = arch, SpecialTokens = tokens, ModelName = name });
}
