using System.Diagnostics;
using LspLlama.Core.Bench;
using LspLlama.Core.Context;
using LspLlama.Core.Documents;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;

namespace LspLlama.Bench;

/// <summary>
/// Replays editor events through the server's own path: the document store applies each change as
/// it would for a didChange, the context plan follows it through the store's observer interface, and
/// each completion request plans the sequence at the cursor and syncs the model session (with the
/// policy under test) to it, then decodes a completion's worth of tokens after it, as the server
/// does, so the next sync has them to roll back. Only the sync is timed: planning and generating
/// cost the same under every policy.
/// </summary>
public sealed class ReplayServerPath : IReplayTarget, IDocumentObserver
{
    private readonly DocumentStore _store = new();
    private readonly ContextPlan _plan;
    private readonly ModelSession _session;
    private readonly PositionEncoding _encoding;
    private readonly string _workspace;
    private readonly IDisposable _subscription;
    private readonly IDisposable? _owned;
    private readonly int[] _completion;

    /// <param name="generate">Tokens decoded after each sync, standing in for the completion.</param>
    /// <param name="owned">Disposed with the target (the native context behind the backend).</param>
    public ReplayServerPath(
        ITokenizer tokenizer,
        ContextSettings context,
        ISessionBackend backend,
        ICheckpointPolicy policy,
        string workspace,
        string positionEncoding,
        int generate = 0,
        IDisposable? owned = null)
    {
        // The same tokens for every policy and every sync: what the model would generate does not
        // change what the next sync costs, only how many tokens it has to roll back.
        int[] filler = tokenizer.Tokenize("\n    // suggested completion\n");
        _completion = [.. Enumerable.Range(0, generate).Select(i => filler[i % filler.Length])];
        _plan = new ContextPlan(tokenizer, context);
        _session = new ModelSession(backend, policy);
        _encoding = positionEncoding == TraceHeader.Utf8 ? PositionEncoding.Utf8 : PositionEncoding.Utf16;
        _workspace = workspace;
        _owned = owned;
        _subscription = _store.Subscribe(this);
    }

    public ModelSession Session => _session;

    public void Apply(TraceEvent e)
    {
        switch (e)
        {
            case TraceOpen open:
                _store.Open(open.Uri, open.LanguageId, open.Version, open.Text);
                break;
            case TraceEdit edit:
                _store.Change(edit.Uri, edit.Version, [.. edit.Changes.Select(ToDocumentChange)], _encoding);
                break;
            case TraceClose close:
                _store.Close(close.Uri);
                break;
            case TraceFocus focus:
                // The server learns the active document and its cursor from completion requests
                // only (LSP has no focus notification), so a focus event changes nothing it sees.
                _ = _store.Find(focus.Uri) ?? throw new InvalidDataException($"{focus.Uri} is not open");
                break;
            default:
                throw new ArgumentException($"{e.GetType().Name} is not applied, it is synced", nameof(e));
        }
    }

    public SyncCost Sync(TraceCompletion request, CancellationToken cancellation)
    {
        Focus(request.Uri, request.Position);
        PlanBuild build = _plan.Build();
        long start = Stopwatch.GetTimestamp();
        SyncFigures f = _session.Sync(build.Tokens.Span, build.Hints, cancellation);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        foreach (int token in _completion)
        {
            _session.AppendGenerated(token);
        }

        return new SyncCost(f.Decoded, f.Ideal, ms, f.CheckpointBytes, f.Desired, f.FullReprocess);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _session.Reset();
        _owned?.Dispose();
    }

    void IDocumentObserver.OnOpened(DocumentOpened opened) => _plan.Open(opened.Uri, DisplayPath(opened.Uri), opened.Text);

    void IDocumentObserver.OnEdited(DocumentEdit edit) => _plan.Edit(edit.Uri, edit.Start, edit.RemovedLength, edit.InsertedText);

    void IDocumentObserver.OnClosed(DocumentClosed closed) => _plan.Close(closed.Uri);

    private void Focus(string uri, TracePosition position)
    {
        TextDocument doc = _store.Find(uri) ?? throw new InvalidDataException($"{uri} is not open");
        _plan.SetActive(uri, doc.OffsetAt(new TextPosition(position.Line, position.Character), _encoding));
    }

    /// <summary>The path the model sees in the file header: relative to the workspace when inside it.</summary>
    private string DisplayPath(string uri)
    {
        if (!System.Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) || !parsed.IsFile)
        {
            return uri;
        }

        string relative = Path.GetRelativePath(_workspace, parsed.LocalPath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFileName(parsed.LocalPath) : relative.Replace('\\', '/');
    }

    private static DocumentChange ToDocumentChange(TraceChange c) => new(
        c.Range is TraceRange r
            ? new TextRange(new TextPosition(r.Start.Line, r.Start.Character), new TextPosition(r.End.Line, r.End.Character))
            : null,
        c.Text);
}
