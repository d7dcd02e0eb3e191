using System.Text;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context;

/// <summary>
/// The special tokens and layout the plan uses, resolved once from the vocabulary and the settings.
/// </summary>
public sealed class PromptTemplate
{
    private PromptTemplate(FimLayout layout, bool codestral, int? prefix, int? suffix, int? middle, int? repo, int? fileSep, int? bos)
    {
        (Layout, CodestralSpm, Prefix, Suffix, Middle, Repo, FileSeparator, Bos) = (layout, codestral, prefix, suffix, middle, repo, fileSep, bos);
    }

    /// <summary>Markers spelled like Mistral's ([PREFIX]): SPM is [SUFFIX]suffix[PREFIX]prefix, no middle marker.</summary>
    public bool CodestralSpm { get; }

    /// <summary>Psm, Spm or PrefixOnly (never Auto).</summary>
    public FimLayout Layout { get; }

    public int? Prefix { get; }

    public int? Suffix { get; }

    public int? Middle { get; }

    public int? Repo { get; }

    public int? FileSeparator { get; }

    /// <summary>BOS at the start of the plan, when the vocabulary wants one.</summary>
    public int? Bos { get; }

    public static PromptTemplate Resolve(ITokenizer tokenizer, ContextSettings settings)
    {
        SpecialTokens sp = tokenizer.Special;
        FimTokenTexts o = settings.TokenOverrides;
        int? pre = Override(tokenizer, o.Prefix) ?? sp.FimPrefix;
        int? suf = Override(tokenizer, o.Suffix) ?? sp.FimSuffix;
        int? mid = Override(tokenizer, o.Middle) ?? sp.FimMiddle;
        // llama.cpp only knows some spellings of the repository tokens (StarCoder's <repo_name> and
        // <file_sep> are not among them), so look for the common ones too.
        int? repo = Override(tokenizer, o.RepoName) ?? sp.FimRepo ?? Detect(tokenizer, "<|repo_name|>", "<repo_name>", "<reponame>", "<|fim_repo|>");
        int? sep = Override(tokenizer, o.FileSeparator) ?? sp.FimFileSeparator ?? Detect(tokenizer, "<|file_sep|>", "<file_sep>");
        bool hasFim = pre is not null && suf is not null && mid is not null;
        bool codestral = hasFim && IsText(tokenizer, pre!.Value, "[PREFIX]");
        FimLayout layout = settings.Layout switch
        {
            FimLayout.Auto when !hasFim => FimLayout.PrefixOnly,
            // Codestral ([PREFIX]) was trained on SPM only. The BigCode family (StarCoder/StarCoder2
            // <fim_prefix>, half of their FIM samples SPM) gets PSM with the cursor's line after the
            // middle marker: a keystroke costs the same as in SPM, a cursor jump the suffix window
            // instead of the whole active prefix (bench-plan), and SPM only without that placement.
            // Qwen2.5-Coder (<|fim_prefix|>), DeepSeek-Coder and others were trained on PSM only.
            FimLayout.Auto => codestral || (!settings.CursorLineInMiddle && IsText(tokenizer, pre!.Value, "<fim_prefix>")) ? FimLayout.Spm : FimLayout.Psm,
            FimLayout.PrefixOnly => FimLayout.PrefixOnly,
            _ when !hasFim => throw new ArgumentException(
                $"layout {settings.Layout} needs FIM prefix, suffix and middle tokens; the vocabulary has none (set the token texts to override)"),
            FimLayout l => l,
        };
        return new PromptTemplate(layout, codestral, pre, suf, mid, repo, sep, sp.AddBos ? sp.Bos : null);
    }

    private static int? Override(ITokenizer tokenizer, string? text)
    {
        if (text is null)
        {
            return null;
        }

        int[] ids = tokenizer.Tokenize(text, parseSpecial: true);
        return ids.Length == 1
            ? ids[0]
            : throw new ArgumentException($"token override '{text}' is not a single token of this vocabulary ({ids.Length} tokens)");
    }

    private static int? Detect(ITokenizer tokenizer, params string[] texts)
    {
        foreach (string text in texts)
        {
            int[] ids = tokenizer.Tokenize(text, parseSpecial: true);
            if (ids.Length == 1 && IsText(tokenizer, ids[0], text))
            {
                return ids[0];
            }
        }

        return null;
    }

    private static bool IsText(ITokenizer tokenizer, int token, string text) =>
        tokenizer.TokenBytes(token).SequenceEqual(Encoding.UTF8.GetBytes(text));
}
