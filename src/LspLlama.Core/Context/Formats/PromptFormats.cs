using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context.Formats;

/// <summary>
/// Picks the prompt format: the one <c>context.format</c> names, or else the first family, in the
/// order below, whose special tokens the vocabulary has. Families are told apart by their token
/// texts, which say what the model was trained on; the architecture and name only tell Granite from
/// StarCoder, which share their spelling. Order matters where spellings overlap: CodeGemma's
/// <c>&lt;|file_separator|&gt;</c> before Qwen's <c>&lt;|fim_prefix|&gt;</c>, Granite before StarCoder2.
/// </summary>
public static class PromptFormats
{
    /// <summary>The <c>context.format</c> value that detects the family.</summary>
    public const string Auto = "auto";

    private sealed record Entry(string Name, Func<VocabularyLookup, string?> Detect, Func<VocabularyLookup, ContextSettings, PromptFormat> Create);

    private static readonly Entry[] s_entries =
    [
        new(CodestralFormat.FormatName, CodestralFormat.Detect, (v, s) => new CodestralFormat(v, s)),
        new(CodeLlamaFormat.FormatName, CodeLlamaFormat.Detect, (v, s) => new CodeLlamaFormat(v, s)),
        new(DeepSeekCoderFormat.FormatName, DeepSeekCoderFormat.Detect, (v, s) => new DeepSeekCoderFormat(v, s)),
        new(CodeGemmaFormat.FormatName, CodeGemmaFormat.Detect, (v, s) => new CodeGemmaFormat(v, s)),
        new(QwenCoderFormat.FormatName, QwenCoderFormat.Detect, (v, s) => new QwenCoderFormat(v, s)),
        new(GraniteFormat.FormatName, GraniteFormat.Detect, (v, s) => new GraniteFormat(v, s)),
        new(StarCoder2Format.FormatName, StarCoder2Format.Detect, (v, s) => new StarCoder2Format(v, s)),
        new(GenericFimFormat.FormatName, GenericFimFormat.Detect, (v, s) => new GenericFimFormat(v, s)),
        new(PrefixOnlyFormat.FormatName, _ => "no FIM tokens", (v, s) => new PrefixOnlyFormat(v, s)),
    ];

    /// <summary>Every value <c>context.format</c> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = [Auto, .. s_entries.Select(e => e.Name)];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The format for this vocabulary and settings, with the reason it was chosen.</summary>
    /// <exception cref="ArgumentException">The setting names no format, or the vocabulary lacks what the layout needs.</exception>
    public static PromptFormat Resolve(ITokenizer tokenizer, ContextSettings settings)
    {
        var vocab = new VocabularyLookup(tokenizer);
        if (settings.Format != Auto)
        {
            Entry chosen = s_entries.FirstOrDefault(e => e.Name == settings.Format)
                ?? throw new ArgumentException($"unknown context.format '{settings.Format}'; choose one of: {string.Join(", ", Names)}");
            PromptFormat set = chosen.Create(vocab, settings);
            set.Reason = $"context.format is {settings.Format}";
            return set;
        }

        foreach (Entry entry in s_entries)
        {
            if (entry.Detect(vocab) is { } why)
            {
                PromptFormat format = entry.Create(vocab, settings);
                format.Reason = $"{why}; {vocab.Facts.Describe()}";
                return format;
            }
        }

        throw new InvalidOperationException("the prefix-only format matches every vocabulary");
    }

    /// <summary>", with 'a' (1), 'b' (2)" for the tokens of <paramref name="texts"/> the vocabulary has.</summary>
    internal static string Also(VocabularyLookup v, params string[] texts)
    {
        string[] found = texts.Select(t => v.Find(t)).Where(id => id is not null).Select(id => v.Describe(id!.Value)).ToArray();
        return found.Length == 0 ? string.Empty : ", with " + string.Join(" and ", found);
    }
}
