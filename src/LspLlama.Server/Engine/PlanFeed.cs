using System.Collections.Concurrent;
using System.Diagnostics;
using LspLlama.Core.Context;
using LspLlama.Core.Documents;

namespace LspLlama.Engine;

/// <summary>
/// Carries document mutations from the protocol thread to the context plan, which lives on the
/// inference thread. Each mutation gets a sequence number as it is applied; a completion request
/// records the number current when it arrived, and the worker applies exactly the mutations up to
/// it, so the plan shows the document as the request saw it even when newer edits are queued.
/// </summary>
public sealed class PlanFeed : IDocumentObserver, IDisposable
{
    private readonly ConcurrentQueue<(long Sequence, object Event, long Stamp)> _events = new();
    private readonly IDisposable _subscription;
    private long _sequence;

    public PlanFeed(DocumentStore documents)
    {
        _subscription = documents.Subscribe(this, out IReadOnlyList<DocumentOpened> openNow);
        OpenAtStart = openNow.Select(o => o.Uri).ToHashSet(StringComparer.Ordinal);
        foreach (DocumentOpened opened in openNow)
        {
            OnOpened(opened);
        }
    }

    /// <summary>The documents open when the feed started; it queued an open for each.</summary>
    public IReadOnlySet<string> OpenAtStart { get; }

    /// <summary>Raised on the protocol thread after each mutation (the engine re-arms its idle prefill).</summary>
    public event Action? Mutated;

    /// <summary>The number of the last mutation queued.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>
    /// Among the mutations applied so far, the document edited last and the offset just after that
    /// edit: where the cursor most likely is (inference thread only, like the plan).
    /// </summary>
    public (string Uri, int Cursor)? LastEdit { get; private set; }

    /// <summary>Edits applied so far (inference thread only): tells whether one came after a given moment.</summary>
    public long EditsApplied { get; private set; }

    /// <summary>Raised on the inference thread for each document closed in the plan (the engine drops its cached suggestions).</summary>
    public event Action<string>? Closed;

    /// <summary>
    /// Raised on the inference thread after a document's mutation reached the plan (open, edit or
    /// close), with the Stopwatch timestamp of when the editor's change arrived.
    /// </summary>
    public event Action<string, long>? Changed;

    public void OnOpened(DocumentOpened opened) => Enqueue(opened);

    public void OnEdited(DocumentEdit edit) => Enqueue(edit);

    public void OnClosed(DocumentClosed closed) => Enqueue(closed);

    /// <summary>
    /// Applies the queued mutations numbered up to <paramref name="upTo"/> to the plan (inference
    /// thread only). Throws when the plan rejects one; the plan then no longer mirrors the
    /// documents and the caller builds a new plan and feed.
    /// </summary>
    public void ApplyTo(ContextPlan plan, long upTo = long.MaxValue)
    {
        while (_events.TryPeek(out var next) && next.Sequence <= upTo && _events.TryDequeue(out next))
        {
            Apply(plan, next.Event, next.Stamp);
        }
    }

    private void Apply(ContextPlan plan, object mutation, long stamp)
    {
        switch (mutation)
        {
            case DocumentOpened o:
                if (plan.IsOpen(o.Uri))
                {
                    plan.Reopen(o.Uri, DisplayPath(o.Uri), o.Text);
                }
                else
                {
                    plan.Open(o.Uri, DisplayPath(o.Uri), o.Text);
                }

                Closed?.Invoke(o.Uri); // Reopened: whatever was cached for it is stale.
                Changed?.Invoke(o.Uri, stamp);
                break;
            case DocumentEdit e when plan.IsOpen(e.Uri):
                plan.Edit(e.Uri, e.Start, e.RemovedLength, e.InsertedText);
                LastEdit = (e.Uri, e.Start + e.InsertedText.Length);
                EditsApplied++;
                Changed?.Invoke(e.Uri, stamp);
                break;
            case DocumentClosed c when plan.IsOpen(c.Uri):
                plan.Close(c.Uri);
                Closed?.Invoke(c.Uri);
                Changed?.Invoke(c.Uri, stamp);
                if (LastEdit?.Uri == c.Uri)
                {
                    LastEdit = null;
                }

                break;
        }
    }

    public void Dispose() => _subscription.Dispose();

    /// <summary>The path shown to the model in file headers: the local path for file URIs.</summary>
    public static string DisplayPath(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.IsFile ? parsed.LocalPath : uri;

    private void Enqueue(object mutation)
    {
        // Called with the document store's lock held, so numbers follow the order of application.
        long sequence = Interlocked.Increment(ref _sequence);
        _events.Enqueue((sequence, mutation, Stopwatch.GetTimestamp()));
        Mutated?.Invoke();
    }
}
