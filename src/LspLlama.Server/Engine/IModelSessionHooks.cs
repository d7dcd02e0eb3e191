using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// The seam for keeping the model's memory across server restarts (the session store). Every
/// call runs on the inference thread, so the implementation may read and write the model and its
/// session directly; nothing else touches them meanwhile. Exceptions are logged and ignored:
/// persistence is an optimisation and must never cost a completion.
/// </summary>
public interface IModelSessionHooks
{
    /// <summary>
    /// A model was loaded and its session is empty. Returns the documents a stored
    /// session was planned from, in plan order (empty when there is none): the engine lays out the
    /// files it can still read in that order, so the stored tokens match even when the editor
    /// reopens fewer files, or in another order.
    /// </summary>
    IReadOnlyList<StoredDocument> Loaded(LoadedModel model, CancellationToken cancellationToken);

    /// <summary>
    /// The session is about to sync to <paramref name="planned"/>: a stored session that shares
    /// enough of it may be restored now, so the sync rolls back from there instead of decoding it all.
    /// </summary>
    void BeforeSync(LoadedModel model, ReadOnlyMemory<int> planned);

    /// <summary>
    /// The editor is idle and the idle prefill brought the session to the latest documents: a good
    /// moment to persist. <paramref name="documents"/> gives the documents of the plan the
    /// session last synced to, in plan order. <paramref name="cancellationToken"/> fires when a request arrives.
    /// </summary>
    void Idle(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents, CancellationToken cancellationToken);

    /// <summary>The model is about to be freed (reload, shutdown): the last chance to persist.</summary>
    void Unloading(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents);
}

/// <summary>Calls the hooks the way every caller must: persistence never costs a completion.</summary>
public static class SessionHooks
{
    public static void Run(IModelSessionHooks? hooks, string what, Action<IModelSessionHooks> call, ILogger logger)
    {
        if (hooks is null)
        {
            return;
        }

        try
        {
            call(hooks);
        }
        catch (OperationCanceledException)
        {
            // Preempted by a request: the next idle moment tries again.
        }
#pragma warning disable CA1031 // Persistence must never cost a completion: log and go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning(e, "Failed {What}", what);
        }
    }
}

/// <summary>The hooks of one loaded model, as the serving object calls them during its syncs and idle moments.</summary>
public sealed class BoundSessionHooks(IModelSessionHooks hooks, LoadedModel model, ILogger logger)
{
    public void BeforeSync(ReadOnlyMemory<int> planned) =>
        SessionHooks.Run(hooks, "restoring a stored session", h => h.BeforeSync(model, planned), logger);

    public void Idle(Func<IReadOnlyList<StoredDocument>> documents, CancellationToken cancellationToken) =>
        SessionHooks.Run(hooks, "persisting the session", h => h.Idle(model, documents, cancellationToken), logger);
}
