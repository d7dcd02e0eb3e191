using System.Globalization;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context.Formats;

/// <summary>The FIM marker ids a format writes (null: the vocabulary has none).</summary>
public sealed record FimMarkers(int? Prefix, int? Suffix, int? Middle);

/// <summary>
/// A file's header tokens: <paramref name="Other"/> before its tokens when it is another file;
/// as the active file, <paramref name="ActiveLead"/> comes before the first FIM marker and
/// <paramref name="ActiveBeforeBody"/> right before its prefix text (after the marker that opens it).
/// </summary>
public sealed record FileHeaders(int[] Other, int[] ActiveLead, int[] ActiveBeforeBody)
{
    public int ActiveLength => ActiveLead.Length + ActiveBeforeBody.Length;
}

/// <summary>
/// How one model family wants its prompt: the special tokens, the order (PSM or SPM), the
/// repository line and file separators for other files, and the tokens that end a completion.
/// Each family is a small subclass that finds its tokens by their text and fills a
/// <see cref="FormatSpec"/>; this class turns it into tokens. Everything else about the plan
/// (segments, budget, first changed token, checkpoint hints) is the same for every family.
/// Add a family: a subclass in this folder and one line in <see cref="PromptFormats"/>.
/// </summary>
public abstract class PromptFormat
{
    private readonly ITokenizer _tokenizer;
    private readonly FormatSpec _spec;
    private readonly string _plainHeader;
    private readonly int[] _gap;

    protected PromptFormat(VocabularyLookup vocab, ContextSettings settings, FormatSpec spec)
    {
        _tokenizer = vocab.Tokenizer;
        FimTokenTexts o = settings.TokenOverrides;
        int? Override(string? text, string what) => text is null ? null : vocab.Single(text, what);
        Markers = new FimMarkers(
            Override(o.Prefix, "FIM prefix") ?? spec.Markers.Prefix,
            Override(o.Suffix, "FIM suffix") ?? spec.Markers.Suffix,
            Override(o.Middle, "FIM middle") ?? spec.Markers.Middle);
        RepoToken = Override(o.RepoName, "repository name") ?? spec.Repo;
        FileSeparatorToken = Override(o.FileSeparator, "file separator") ?? spec.FileSeparator;
        _spec = spec;
        _plainHeader = spec.PlainHeader ?? settings.PlainFileHeader;
        _gap = spec.SpaceAfterMarkers ? _tokenizer.Tokenize(" ") : [];
        SpecialTokens sp = vocab.Special;
        Bos = sp.AddBos ? sp.Bos : null;
        Layout = ResolveLayout(settings);
        Preamble = BuildPreamble(settings.RepoName);
        OtherTrailer = FileSeparatorToken is null ? _tokenizer.Tokenize("\n") : [];
        StopTokens = BuildStops(vocab, sp);
        SpecialIds = new HashSet<int>(StopTokens.Concat(new[] { Bos, Markers.Prefix, Markers.Suffix, Markers.Middle, RepoToken, FileSeparatorToken, sp.Bos }
            .Where(t => t is not null).Select(t => t!.Value)));
    }

    /// <summary>The <c>context.format</c> value that picks this family.</summary>
    public abstract string Name { get; }

    /// <summary>The models this format is for, for people.</summary>
    public abstract string Family { get; }

    /// <summary>Why this format was chosen (the setting, or the tokens and metadata that matched).</summary>
    public string Reason { get; internal set; } = string.Empty;

    /// <summary>Psm, Spm or PrefixOnly (never Auto).</summary>
    public FimLayout Layout { get; }

    public FimMarkers Markers { get; }

    /// <summary>The repository-name token written at the start, when the family has one.</summary>
    public int? RepoToken { get; }

    /// <summary>The token that starts each file, when the family has one (else a plain-text header).</summary>
    public int? FileSeparatorToken { get; }

    /// <summary>BOS at the start of the plan, when the vocabulary wants one.</summary>
    public int? Bos { get; }

    /// <summary>The plan's first tokens: BOS, then the repository line when the family has one.</summary>
    public int[] Preamble { get; }

    /// <summary>Tokens after another file's text: a line break between plain-text headers, none with separator tokens.</summary>
    public int[] OtherTrailer { get; }

    /// <summary>Tokens that end a completion: end of text, the markers, separators and the family's own end tokens.</summary>
    public IReadOnlyList<int> StopTokens { get; }

    /// <summary>Every special token this format writes or stops on (shown apart by <c>lspllama inspect</c>).</summary>
    public IReadOnlySet<int> SpecialIds { get; }

    /// <summary>Longest file header, so that a client's absurd path cannot crowd out the document.</summary>
    public const int MaxHeaderTokens = 32;

    /// <summary>The header tokens of a file at <paramref name="path"/>.</summary>
    public FileHeaders Headers(string path)
    {
        if (FileSeparatorToken is int sep)
        {
            int[] pathLine = Cap(_tokenizer.Tokenize(path + "\n"), MaxHeaderTokens - 1);
            int[] other = [sep, .. pathLine];
            return _spec.PathAfterPrefixMarker ? new FileHeaders(other, [sep], pathLine) : new FileHeaders(other, other, []);
        }

        int[] plain = Cap(_tokenizer.Tokenize(string.Format(CultureInfo.InvariantCulture, _plainHeader, path)), MaxHeaderTokens);
        return _spec.PathAfterPrefixMarker ? new FileHeaders(plain, [], plain) : new FileHeaders(plain, plain, []);
    }

    /// <summary>PSM: opens the prefix (<c>&lt;PRE&gt;</c>, and Code Llama's space).</summary>
    public int[] PsmPrefixMarker => [Markers.Prefix!.Value, .. _gap];

    /// <summary>PSM: before the suffix window.</summary>
    public int SuffixMarker => Markers.Suffix!.Value;

    /// <summary>PSM: the middle marker; <paramref name="textFollows"/> (the cursor's line after it) adds Code Llama's space.</summary>
    public int[] PsmMiddleMarker(bool textFollows) => textFollows ? [Markers.Middle!.Value, .. _gap] : [Markers.Middle!.Value];

    /// <summary>SPM: before the suffix window (<c>&lt;PRE&gt;&lt;SUF&gt;</c>, or Codestral's <c>[SUFFIX]</c>).</summary>
    public int[] SpmSuffixMarker => _spec.SuffixFirst ? [Markers.Suffix!.Value] : [Markers.Prefix!.Value, Markers.Suffix!.Value];

    /// <summary>SPM: between the suffix window and the prefix (<c>&lt;MID&gt;</c>, or Codestral's <c>[PREFIX]</c>).</summary>
    public int[] SpmPrefixMarker => _spec.SuffixFirst ? [Markers.Prefix!.Value] : [Markers.Middle!.Value, .. _gap];

    /// <summary>Marker tokens of the active file in <see cref="Layout"/> (<paramref name="split"/>: PSM with the cursor's line after the middle marker).</summary>
    public int MarkerCount(bool split) => Layout switch
    {
        FimLayout.Psm => PsmPrefixMarker.Length + 1 + PsmMiddleMarker(split).Length,
        FimLayout.Spm => SpmSuffixMarker.Length + SpmPrefixMarker.Length,
        _ => 0,
    };

    private FimLayout ResolveLayout(ContextSettings settings)
    {
        bool hasFim = Markers.Prefix is not null && Markers.Suffix is not null && (Markers.Middle is not null || _spec.SuffixFirst);
        FimLayout wanted = settings.Layout;
        if (wanted == FimLayout.PrefixOnly || (wanted == FimLayout.Auto && !hasFim))
        {
            return FimLayout.PrefixOnly;
        }

        if (!hasFim)
        {
            throw new ArgumentException(
                $"layout {wanted} needs FIM prefix, suffix and middle tokens; the {Family} format found none in this vocabulary (set the token texts to override)");
        }

        FimLayout order = wanted == FimLayout.Auto ? _spec.AutoOrder(settings) : wanted;
        return _spec.SuffixFirst && order == FimLayout.Psm
            ? throw new ArgumentException($"the {Family} format has no PSM order: the model was trained on [SUFFIX]suffix[PREFIX]prefix only")
            : order;
    }

    private int[] BuildPreamble(string repoName)
    {
        var preamble = new List<int>();
        if (Bos is int bos)
        {
            preamble.Add(bos);
        }

        if (RepoToken is int repo && FileSeparatorToken is not null)
        {
            preamble.Add(repo);
            preamble.AddRange(_tokenizer.Tokenize(string.Format(CultureInfo.InvariantCulture, _spec.RepoLine, repoName)));
        }

        return [.. preamble];
    }

    private List<int> BuildStops(VocabularyLookup vocab, SpecialTokens sp)
    {
        var stops = new List<int>();
        void Add(int? id)
        {
            if (id is int t && !stops.Contains(t))
            {
                stops.Add(t);
            }
        }

        Add(sp.Eos);
        foreach (string text in _spec.StopTexts)
        {
            Add(vocab.Find(text));
        }

        Add(Markers.Prefix);
        Add(Markers.Suffix);
        Add(Markers.Middle);
        Add(sp.FimPad);
        Add(RepoToken);
        Add(FileSeparatorToken);
        return stops;
    }

    private static int[] Cap(int[] tokens, int max) =>
        tokens.Length <= max ? tokens : [.. tokens.AsSpan(0, max - 1), .. tokens.AsSpan(tokens.Length - 1)];
}

/// <summary>What a family's format is made of; its subclass fills it from the vocabulary.</summary>
/// <param name="Markers">The FIM markers found.</param>
/// <param name="Repo">The repository-name token (written only together with a file separator).</param>
/// <param name="FileSeparator">The token before each file's path; null: plain-text headers.</param>
public sealed record FormatSpec(FimMarkers Markers, int? Repo = null, int? FileSeparator = null)
{
    /// <summary>Text after the repository token; {0} is the name.</summary>
    public string RepoLine { get; init; } = "{0}\n";

    /// <summary>Plain-text header for families without a separator token ({0} the path); null: the setting's.</summary>
    public string? PlainHeader { get; init; }

    /// <summary>The active file's path line goes after the marker that opens its prefix (StarCoder2, DeepSeek-Coder), not before the markers.</summary>
    public bool PathAfterPrefixMarker { get; init; }

    /// <summary>SPM is [SUFFIX]suffix[PREFIX]prefix with no middle marker, and there is no PSM (Codestral).</summary>
    public bool SuffixFirst { get; init; }

    /// <summary>A space follows the markers that open text: <c>&lt;PRE&gt; prefix</c>, <c>&lt;MID&gt; prefix</c> (Code Llama).</summary>
    public bool SpaceAfterMarkers { get; init; }

    /// <summary>The order <c>context.layout=auto</c> picks.</summary>
    public Func<ContextSettings, FimLayout> AutoOrder { get; init; } = _ => FimLayout.Psm;

    /// <summary>Texts of the family's end tokens besides EOS (each added when the vocabulary has it).</summary>
    public IReadOnlyList<string> StopTexts { get; init; } = [];
}
