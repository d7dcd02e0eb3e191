using LspLlama.Core.Context.Formats;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context;

/// <summary>
/// Turns the open documents, the active one and its cursor into the token sequence the model sees:
/// a preamble, one segment per other document ordered by last use (edit or focus, oldest first),
/// then the active document in its FIM layout. Offsets are UTF-16 chars; nothing here knows LSP.
/// </summary>
/// <remarks>
/// The order decides what a rollback costs: a change re-decodes everything after the first changed
/// document. Most-recently-used order puts the files a user goes back to (the previous file, the
/// definition just visited) at the end, so returning to one costs the few files after it, not the
/// whole context; files untouched for long drift to the front, where they stay put.
/// Not thread-safe: one owner (the server's main loop) feeds it edits and builds plans.
/// </remarks>
public sealed partial class ContextPlan
{
    private readonly ITokenizer _tokenizer;
    private readonly ContextSettings _settings;
    private readonly PromptFormat _format;
    private readonly Dictionary<string, DocumentState> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DocumentState> _closed = new(StringComparer.Ordinal);
    private readonly List<DocumentState> _order = [];
    private readonly int[] _preamble;
    private readonly int[] _otherTrailer;
    private readonly PlanWriter _writer;
    private readonly List<PlannedSegment> _segments = [];
    private readonly List<int> _segmentStarts = [];
    private DocumentState? _active;
    private long _clock;
    private long _evictedThrough = -1;
    private long _build;
    private bool _rememberedFull;

    public ContextPlan(ITokenizer tokenizer, ContextSettings settings)
    {
        settings.Validate();
        _tokenizer = tokenizer;
        _settings = settings;
        _format = PromptFormats.Resolve(tokenizer, settings);
        _preamble = _format.Preamble;
        _otherTrailer = _format.OtherTrailer;
        _writer = new PlanWriter(settings.ContextSize);
        SuffixLines = settings.SuffixLines ?? (_format.Layout == FimLayout.Spm ? 64 : 16);
    }

    /// <summary>The layout in use (Auto resolved).</summary>
    public FimLayout Layout => _format.Layout;

    /// <summary>The model family's prompt format: its tokens, order and stop tokens, and why it was chosen.</summary>
    public PromptFormat Format => _format;

    /// <summary>The settings the plan was built with.</summary>
    public ContextSettings Settings => _settings;

    /// <summary>PSM: the cursor's line follows the middle marker (see <see cref="ContextSettings.CursorLineInMiddle"/>).</summary>
    public bool CursorLineInMiddle => _settings.CursorLineInMiddle;

    /// <summary>Closed files stay in the plan as context (see <see cref="ContextSettings.KeepClosedFiles"/>).</summary>
    public bool KeepsClosedFiles => _settings.KeepClosedFiles;

    /// <summary>Lines after the cursor's line in the suffix window.</summary>
    public int SuffixLines { get; }

    /// <summary>Tokens the plan may use: context size minus the generation reserve.</summary>
    public int Budget => _settings.ContextSize - _settings.GenerationReserve;

    /// <summary>Characters handed to the tokenizer for document text since the plan was made.</summary>
    public long TokenizedChars => _documents.Values.Sum(d => d.Tokens.TokenizedChars);

    public bool IsOpen(string uri) => _documents.ContainsKey(uri);

    public string GetText(string uri) => Get(uri).Tokens.GetText();

    /// <summary>The document's text as the plan holds it, valid until its next edit.</summary>
    public ReadOnlySpan<char> Text(string uri) => Get(uri).Tokens.Text;

    /// <summary>Re-tokenizes the whole document and compares (a self-check for benchmarks and diagnostics; costs a full tokenization).</summary>
    public bool MatchesWholeTokenization(string uri)
    {
        SegmentTokens tokens = Get(uri).Tokens;
        return tokens.Tokens.SequenceEqual(_tokenizer.Tokenize(tokens.TokenizedText.ToString()));
    }

    /// <summary>Closed files the plan still holds as context (see <see cref="ContextSettings.KeepClosedFiles"/>).</summary>
    public int KeptClosedCount => _closed.Count;

    /// <summary>
    /// Opens a document. A closed file the plan still holds is taken back in its place: unchanged, it
    /// costs nothing; changed on disk meanwhile, only the changed span is applied, as an edit.
    /// </summary>
    public void Open(string uri, string path, string text)
    {
        if (_documents.ContainsKey(uri))
        {
            throw new ArgumentException($"document already open: {uri}");
        }

        if (_closed.Remove(uri, out DocumentState? kept))
        {
            kept.Closed = false;
            if (kept.Path == path && kept.Stamp > _evictedThrough)
            {
                _documents.Add(uri, kept);
                ApplyAsOneEdit(kept, text);
                return;
            }

            _order.Remove(kept); // Left out by the budget (or renamed): it comes back as a new document.
        }

        var doc = new DocumentState(uri, path, new SegmentTokens(_tokenizer, text, SliceChars), Header(path), ++_clock);
        _documents.Add(uri, doc);
        _order.Add(doc);
    }

    /// <summary>
    /// Adds a file the plan held before a restart, as a closed file after those remembered so far.
    /// Call it in the stored order before the editor opens anything: a file the editor opens again
    /// is then taken back in its place (<see cref="Open"/>), and the others stay as context until
    /// the budget needs their room, as files closed in this run do. False, and nothing added, when
    /// the plan keeps no closed files, already knows the URI, or the files remembered so far leave
    /// the budget no room for it (then for none after it either).
    /// </summary>
    /// <exception cref="InvalidOperationException">A document was opened already: remembered files
    /// are older than any use in this run, and the order cannot place them before one.</exception>
    public bool Remember(string uri, string path, string text)
    {
        if (_documents.Count > 0)
        {
            throw new InvalidOperationException("remembered files must come before the first open document");
        }

        if (!_settings.KeepClosedFiles || _closed.ContainsKey(uri) || _rememberedFull)
        {
            return false;
        }

        // Refused, and every file after it, rather than trimming older ones: those are the front
        // of the stored tokens, the part a restore keeps. (The last stored file, active then, had
        // only its window there; the editor reopens it anyway and it goes to the end, where it was.)
        var doc = new DocumentState(uri, path, new SegmentTokens(_tokenizer, text, SliceChars), Header(path), _clock + 1) { Closed = true };
        if (_preamble.Length + ClosedSize() + OtherSize(doc) > Budget)
        {
            _rememberedFull = true;
            return false;
        }

        _clock++;
        _closed.Add(uri, doc);
        _order.Add(doc);
        return true;
    }

    /// <summary>The documents open in the plan.</summary>
    public IReadOnlyCollection<string> OpenUris => _documents.Keys;

    /// <summary>
    /// The editor opened a document the plan has open already (a client that opens it twice, or a
    /// plan that took over another's documents): it takes the text as one edit, in its place; under
    /// another path it starts afresh.
    /// </summary>
    public void Reopen(string uri, string path, string text)
    {
        DocumentState doc = Get(uri);
        if (doc.Path != path)
        {
            Close(uri);
            Open(uri, path, text);
            return;
        }

        ApplyAsOneEdit(doc, text);
    }

    /// <summary>
    /// A plan with other settings that takes over this one's documents (this one must not be used
    /// after): their order, tokens, closed files and what the budget left out, so a model memory
    /// that holds this plan's sequence stays valid up to the first token the new settings change.
    /// No document is active until the next <see cref="SetActive"/>.
    /// </summary>
    public ContextPlan WithSettings(ContextSettings settings)
    {
        var next = new ContextPlan(_tokenizer, settings);
        foreach (DocumentState doc in _order)
        {
            if (doc.Closed && !settings.KeepClosedFiles)
            {
                continue;
            }

            var moved = new DocumentState(doc.Uri, doc.Path, doc.Tokens, next.Header(doc.Path), doc.Stamp) { Closed = doc.Closed };
            next._order.Add(moved);
            (doc.Closed ? next._closed : next._documents).Add(doc.Uri, moved);
        }

        next._clock = _clock;
        next._evictedThrough = _evictedThrough;
        next.TrimClosed();
        return next;
    }

    /// <summary>Applies an edit; the document moves to the end of the order (just before the active one).</summary>
    public void Edit(string uri, int start, int removedLength, string insertedText)
    {
        DocumentState doc = Get(uri);
        doc.Edit(start, removedLength, insertedText);
        Touch(doc);
    }

    /// <summary>
    /// Closes a document. With <see cref="ContextSettings.KeepClosedFiles"/> its segment stays where it
    /// is, as context, until the budget evicts it; otherwise everything after it is re-decoded.
    /// </summary>
    public void Close(string uri)
    {
        DocumentState doc = Get(uri);
        _documents.Remove(uri);
        if (_active == doc)
        {
            // The file was in use until now: it stays at the end, where its window was.
            _active = null;
            Touch(doc);
        }

        if (_settings.KeepClosedFiles)
        {
            doc.Closed = true;
            _closed[uri] = doc;
            TrimClosed();
        }
        else
        {
            _order.Remove(doc);
        }
    }

    /// <summary>
    /// Makes a document the active one and sets its cursor. A change of the active document counts as
    /// use of both: the one left and the one focused move to the end of the order.
    /// </summary>
    public void SetActive(string uri, int cursor)
    {
        DocumentState doc = Get(uri);
        if (cursor < 0 || cursor > doc.Tokens.CharLength)
        {
            throw new ArgumentOutOfRangeException(nameof(cursor), $"cursor {cursor} is outside {uri} (length {doc.Tokens.CharLength})");
        }

        doc.Cursor = cursor;
        doc.Tokens.Focus(cursor);
        if (_active != doc)
        {
            if (_active is not null)
            {
                Touch(_active);
            }

            Touch(doc);
            _active = doc;
        }
    }

    /// <summary>Marks a use: a new stamp (which also brings an evicted document back) and the end of the order.</summary>
    private void Touch(DocumentState doc)
    {
        if (doc.Stamp == _clock && doc.Stamp > _evictedThrough)
        {
            return;
        }

        doc.Stamp = ++_clock;
        _order.Remove(doc);
        _order.Add(doc);
    }

    private DocumentState Get(string uri) =>
        _documents.TryGetValue(uri, out DocumentState? doc) ? doc : throw new ArgumentException($"document not open: {uri}");

    /// <summary>
    /// Chars of a large document's tokenized slice (see SegmentTokens.Slice.cs): eight per token of
    /// the budget, twice what code averages, so the half before the cursor holds more tokens than
    /// the active document's share of the budget may use; at least 64 Ki chars, so no file that
    /// could fit whole is ever sliced at a small context size.
    /// </summary>
    internal int SliceChars => Math.Max(MinSliceChars, Budget * SliceCharsPerToken);

    internal const int MinSliceChars = 64 * 1024;

    internal const int SliceCharsPerToken = 8;

    /// <summary>Longest file header, so that a client's absurd path cannot crowd out the document.</summary>
    public const int MaxHeaderTokens = PromptFormat.MaxHeaderTokens;
}
