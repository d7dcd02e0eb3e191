using System.Reflection;

namespace LspLlama.Models;

/// <summary>
/// The built-in tokenizer: 256 byte-level symbols, then the control tokens at fixed ids
/// (<c>&lt;|endoftext|&gt;</c> = 256 … <c>&lt;|file_sep|&gt;</c> = 262), then merges learned from the
/// embedded sample source text. llama.cpp treats it as <c>gpt2</c> BPE with the <c>qwen2</c> pre-tokenizer.
/// </summary>
public sealed class GeneratedVocabulary
{
    /// <summary>Merges to learn at most (the sample text runs out of repeated pairs before that).</summary>
    public const int MaxMerges = 1024;

    public const int EndOfText = 256;
    public const int FimPrefix = 257;
    public const int FimSuffix = 258;
    public const int FimMiddle = 259;
    public const int FimPad = 260;
    public const int RepoName = 261;
    public const int FileSeparator = 262;

    private const int TypeNormal = 1;
    private const int TypeControl = 3;

    private static readonly string[] s_controlTokens =
    [
        "<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
    ];

    private static readonly Lazy<GeneratedVocabulary> s_default = new(() => Train(LoadSampleText()));

    private GeneratedVocabulary(List<string> tokens, List<int> types, List<string> merges)
    {
        Tokens = tokens;
        TokenTypes = types;
        Merges = merges;
    }

    /// <summary>Trained once per process from the embedded sample.</summary>
    public static GeneratedVocabulary Default => s_default.Value;

    /// <summary>Token texts in id order (byte-level symbols for normal tokens).</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>llama.cpp token types (1 normal, 3 control).</summary>
    public IReadOnlyList<int> TokenTypes { get; }

    /// <summary>Merges as "left right", in rank order.</summary>
    public IReadOnlyList<string> Merges { get; }

    public static GeneratedVocabulary Train(string sampleText)
    {
        var tokens = new List<string>(ByteLevelAlphabet.Symbols);
        var types = Enumerable.Repeat(TypeNormal, tokens.Count).ToList();
        foreach (string control in s_controlTokens)
        {
            tokens.Add(control);
            types.Add(TypeControl);
        }

        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        var merges = new List<string>();
        foreach ((string left, string right) in BpeTrainer.Learn(sampleText, MaxMerges))
        {
            merges.Add(left + " " + right);
            if (known.Add(left + right))
            {
                tokens.Add(left + right);
                types.Add(TypeNormal);
            }
        }

        return new GeneratedVocabulary(tokens, types, merges);
    }

    private static string LoadSampleText()
    {
        Assembly assembly = typeof(GeneratedVocabulary).Assembly;
        using Stream stream = assembly.GetManifestResourceStream("LspLlama.Models.Resources.bpe-sample.txt")
            ?? throw new InvalidOperationException("the BPE sample text resource is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
