using System.Text;
using LLama;
using LLama.Common;
using LspLlama.Core.Context;
using LspLlama.Core.Context.Formats;
using LspLlama.Core.Tokens;
using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Context;

/// <summary>
/// Every model family's prompt on a vocabulary with exactly its special tokens: the real StarCoder
/// and DeepSeek-Coder vocabularies, tiny models with the others' token texts. Each checks the
/// exact prompt, the FIM ids llama.cpp reports, the stop tokens, and that typing (and Enter) changes
/// only the last few tokens.
/// </summary>
public sealed class PromptFormatFamilyTests
{
    private const string Other = "x = 1\n";
    private const string Active = "def f():\n    return 2\n";
    private static readonly int s_cursor = "def f():\n    ret".Length;

    public sealed record Family(
        string Key, Func<string> Vocabulary, string Format, FimLayout Layout, SpecialTokens Reported, string Prompt, string[] Stops);

    private static readonly Family[] s_families =
    [
        new("qwen-generated", () => TinyModels.Get(TinyArch.Llama), QwenCoderFormat.FormatName, FimLayout.Psm,
            new(256, 256, 257, 258, 259, 260, 261, 262, false),
            "<|repo_name|>workspace\n<|file_sep|>a.py\nx = 1\n<|file_sep|>b.py\n<|fim_prefix|>def f():\n<|fim_suffix|>urn 2\n<|fim_middle|>    ret",
            ["<|endoftext|>", "<|fim_pad|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|repo_name|>", "<|file_sep|>"]),
        new("qwen", () => FamilyModels.Get(FamilyModels.Qwen), QwenCoderFormat.FormatName, FimLayout.Psm,
            new(256, 256, 259, 261, 260, 262, 263, 264, false),
            "<|repo_name|>workspace\n<|file_sep|>a.py\nx = 1\n<|file_sep|>b.py\n<|fim_prefix|>def f():\n<|fim_suffix|>urn 2\n<|fim_middle|>    ret",
            ["<|endoftext|>", "<|fim_pad|>", "<|im_end|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|repo_name|>", "<|file_sep|>"]),
        new("starcoder2", () => SharedVocab.PathOf("ggml-vocab-starcoder.gguf"), StarCoder2Format.FormatName, FimLayout.Psm,
            new(0, 0, 1, 3, 2, 4, null, null, false),
            "<repo_name>workspace<file_sep>a.py\nx = 1\n<file_sep><fim_prefix>b.py\ndef f():<fim_suffix>urn 2\n<fim_middle>\n    ret",
            ["<|endoftext|>", "<fim_pad>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<repo_name>", "<file_sep>"]),
        new("deepseek-coder", () => SharedVocab.PathOf("ggml-vocab-deepseek-coder.gguf"), DeepSeekCoderFormat.FormatName, FimLayout.Psm,
            new(32013, 32014, 32016, 32015, 32017, null, null, null, true),
            "<｜begin▁of▁sentence｜>#a.py\nx = 1\n\n<｜fim▁begin｜>#b.py\ndef f():\n<｜fim▁hole｜>urn 2\n<｜fim▁end｜>    ret",
            ["<｜end▁of▁sentence｜>", "<|EOT|>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"]),
        new("codellama", () => FamilyModels.Get(FamilyModels.CodeLlama), CodeLlamaFormat.FormatName, FimLayout.Psm,
            new(256, 257, 258, 259, 260, null, null, null, true),
            "<s>--- a.py ---\nx = 1\n\n--- b.py ---\n▁<PRE> def f():\n▁<SUF>urn 2\n▁<MID>     ret",
            ["</s>", "▁<EOT>", "▁<PRE>", "▁<SUF>", "▁<MID>"]),
        new("codestral", () => FamilyModels.Get(FamilyModels.Codestral), CodestralFormat.FormatName, FimLayout.Spm,
            new(256, 257, null, null, null, null, null, null, true),
            "<s>--- a.py ---\nx = 1\n\n--- b.py ---\n[SUFFIX]urn 2\n[PREFIX]def f():\n    ret",
            ["</s>", "[MIDDLE]", "[PREFIX]", "[SUFFIX]"]),
        new("codegemma", () => FamilyModels.Get(FamilyModels.CodeGemma, TinyArch.Gemma2), CodeGemmaFormat.FormatName, FimLayout.Psm,
            new(258, 257, 261, 263, 262, null, null, null, true),
            "<bos><|file_separator|>a.py\nx = 1\n<|file_separator|>b.py\n<|fim_prefix|>def f():\n<|fim_suffix|>urn 2\n<|fim_middle|>    ret",
            ["<eos>", "<end_of_turn>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_separator|>"]),
        new("granite", () => FamilyModels.Get(FamilyModels.Granite, TinyArch.GraniteHybrid), GraniteFormat.FormatName, FimLayout.Psm,
            new(256, 256, 257, 259, 258, 260, 274, null, false),
            "<filename>a.py\nx = 1\n<filename>b.py\n<fim_prefix>def f():\n<fim_suffix>urn 2\n<fim_middle>    ret",
            ["<|end_of_text|>", "<fim_pad>", "<reponame>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<filename>"]),
        new("other-fim", () => FamilyModels.Get(FamilyModels.OtherFim), GenericFimFormat.FormatName, FimLayout.Psm,
            new(256, 256, 257, 258, 259, 260, null, null, false),
            "--- a.py ---\nx = 1\n\n--- b.py ---\n<fim-prefix>def f():\n<fim-suffix>urn 2\n<fim-middle>    ret",
            ["<|endoftext|>", "<fim-prefix>", "<fim-suffix>", "<fim-middle>", "<fim-pad>"]),
        new("prefix-only", () => FamilyModels.Get(FamilyModels.NoFim), PrefixOnlyFormat.FormatName, FimLayout.PrefixOnly,
            new(256, 256, null, null, null, null, null, null, false),
            "--- a.py ---\nx = 1\n\n--- b.py ---\ndef f():\n    ret",
            ["<|endoftext|>"]),
    ];

    private static readonly string[] s_shared = ["starcoder2", "deepseek-coder"];

    public static TheoryData<string> TinyFamilies => [.. s_families.Select(f => f.Key).Except(s_shared)];

    public static TheoryData<string> SharedFamilies => [.. s_shared];

    [Theory]
    [MemberData(nameof(TinyFamilies))]
    public void The_family_gets_its_exact_prompt_fim_ids_and_stop_tokens(string key) => CheckPrompt(key);

    [SharedVocabTheory]
    [MemberData(nameof(SharedFamilies))]
    public void The_real_vocabulary_gets_its_exact_prompt_fim_ids_and_stop_tokens(string key) => CheckPrompt(key);

    [Theory]
    [MemberData(nameof(TinyFamilies))]
    public void A_keystroke_or_an_enter_changes_only_the_last_few_tokens(string key) => CheckKeystrokes(key);

    [SharedVocabTheory]
    [MemberData(nameof(SharedFamilies))]
    public void A_keystroke_or_an_enter_changes_only_the_last_few_tokens_with_a_real_vocabulary(string key) => CheckKeystrokes(key);

    private static void CheckPrompt(string key)
    {
        Family family = s_families.Single(f => f.Key == key);
        using LLamaWeights weights = LoadVocab(family.Vocabulary());
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);

        Assert.Equal(family.Reported, tokenizer.Special);
        var plan = new ContextPlan(tokenizer, new ContextSettings());
        Assert.Equal(family.Format, plan.Format.Name);
        Assert.Equal(family.Layout, plan.Layout);
        plan.Open("a", "a.py", Other);
        plan.Open("b", "b.py", Active);
        plan.SetActive("b", s_cursor);
        PlanBuild build = plan.Build();
        Assert.Equal(family.Prompt, Decode(tokenizer, build.Tokens.Span));
        Assert.Equal(family.Stops, plan.Format.StopTokens.Select(t => Text(tokenizer, t)));
    }

    private static void CheckKeystrokes(string key)
    {
        Family family = s_families.Single(f => f.Key == key);
        using LLamaWeights weights = LoadVocab(family.Vocabulary());
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        var plan = new ContextPlan(tokenizer, new ContextSettings());
        string text = "import os\n\ndef f(a, b):\n    total = a + b\n    \n    return total\n\n\nprint(f(1, 2))\n";
        int cursor = text.IndexOf("    \n", StringComparison.Ordinal) + 4;
        plan.Open("a", "a.py", Other);
        plan.Open("b", "b.py", text);
        plan.SetActive("b", cursor);
        plan.Build();
        foreach (char c in "if total > 3:\n        total -= 1")
        {
            plan.Edit("b", cursor, 0, c.ToString());
            plan.SetActive("b", ++cursor);
            PlanBuild build = plan.Build();
            int changed = build.Tokens.Length - build.FirstChanged;
            Assert.True(changed <= 4, $"{key}: typing '{c}' changed the last {changed} of {build.Tokens.Length} tokens");
        }
    }

    [SharedVocabTheory]
    [InlineData("ggml-vocab-starcoder.gguf")]
    public void StarCoder2_without_the_cursor_line_after_the_middle_marker_is_spm_with_its_path_in_the_prefix(string file)
    {
        using LLamaWeights weights = LoadVocab(SharedVocab.PathOf(file));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        var plan = new ContextPlan(tokenizer, new ContextSettings { CursorLineInMiddle = false });
        plan.Open("b", "b.py", Active);
        plan.SetActive("b", s_cursor);
        Assert.Equal(FimLayout.Spm, plan.Layout);
        Assert.Equal("<repo_name>workspace<file_sep><fim_prefix><fim_suffix>urn 2\n<fim_middle>b.py\ndef f():\n    ret", Decode(tokenizer, plan.Build().Tokens.Span));
    }

    [Fact]
    public void Code_llama_in_spm_puts_the_reference_spaces_around_its_markers()
    {
        using LLamaWeights weights = LoadVocab(FamilyModels.Get(FamilyModels.CodeLlama));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        var plan = new ContextPlan(tokenizer, new ContextSettings { Layout = FimLayout.Spm });
        plan.Open("b", "b.py", Active);
        plan.SetActive("b", s_cursor);
        // Meta's reference: "<PRE> <SUF>{suffix} <MID> {prefix}".
        Assert.Equal("<s>--- b.py ---\n▁<PRE>▁<SUF>urn 2\n▁<MID> def f():\n    ret", Decode(tokenizer, plan.Build().Tokens.Span));
    }

    [Fact]
    public void Codestral_refuses_psm_and_an_override_picks_another_family()
    {
        using LLamaWeights weights = LoadVocab(FamilyModels.Get(FamilyModels.Codestral));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        ArgumentException e = Assert.Throws<ArgumentException>(() => new ContextPlan(tokenizer, new ContextSettings { Layout = FimLayout.Psm }));
        Assert.Contains("no PSM order", e.Message, StringComparison.Ordinal);

        var forced = new ContextPlan(tokenizer, new ContextSettings { Format = PrefixOnlyFormat.FormatName });
        Assert.Equal(FimLayout.PrefixOnly, forced.Layout);
        Assert.Equal("context.format is prefix-only", forced.Format.Reason);
    }

    [Fact]
    public void Granite_is_told_from_starcoder_by_its_architecture_and_the_reason_says_so()
    {
        using LLamaWeights weights = LoadVocab(FamilyModels.Get(FamilyModels.Granite, TinyArch.GraniteHybrid));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        PromptFormat format = PromptFormats.Resolve(tokenizer, new ContextSettings());
        Assert.Equal(new ModelFacts("granitehybrid", "qwen2", "lspllama-tiny-granitehybrid"), tokenizer.Facts);
        Assert.StartsWith("FIM prefix '<fim_prefix>' (257) and a Granite model; general.architecture granitehybrid", format.Reason, StringComparison.Ordinal);
    }

    private static string Decode(ITokenizer tokenizer, ReadOnlySpan<int> tokens)
    {
        var bytes = new List<byte>();
        foreach (int t in tokens)
        {
            bytes.AddRange(tokenizer.TokenBytes(t).ToArray());
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string Text(ITokenizer tokenizer, int token) => Encoding.UTF8.GetString(tokenizer.TokenBytes(token));

    private static LLamaWeights LoadVocab(string path) =>
        LLamaWeights.LoadFromFile(new ModelParams(path) { VocabOnly = true, GpuLayerCount = 0 });
}
