using LspLlama.Server;
using LspLlama.Store;

namespace LspLlama.Engine;

/// <summary>
/// Keeps the model's memory across restarts through the session store: one
/// <see cref="SessionPersistence"/> per loaded model, driven by the engine's hooks on the
/// inference thread.
/// </summary>
public sealed class StoreSessionHooks(ServerServices services) : IModelSessionHooks
{
    private SessionPersistence? _persistence;

    public IReadOnlyList<StoredDocument> Loaded(LoadedModel model, CancellationToken cancellationToken)
    {
        _persistence = SessionPersistence.Create(services, model.Path, services.Settings.Current.Model);
        return _persistence?.OpenStored() ?? [];
    }

    // A no-op once restored or given up.
    public void BeforeSync(LoadedModel model, ReadOnlyMemory<int> planned) => _persistence?.TryRestore(model, planned.Span);

    public void Idle(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents, CancellationToken cancellationToken) =>
        _persistence?.OnIdle(model, documents, cancellationToken);

    public void Unloading(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents)
    {
        _persistence?.SaveBeforeUnload(model, documents);
        _persistence = null;
    }
}
