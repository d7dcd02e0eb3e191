using LspLlama.Core.Context;
using LspLlama.Core.Documents;
using LspLlama.ModelFiles;
using LspLlama.Remote;
using LspLlama.Server.Settings;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// Owns the model's lifecycle on the inference thread: finds and loads the model for the current
/// settings, builds its <see cref="ModelServing"/>, gives it a new plan when only the plan settings
/// change, reports failures, and frees the model (after the persistence hooks saw it).
/// <see cref="Mark"/>, <see cref="HasModel"/> and <see cref="NeedsLoad"/> are safe from any thread.
/// </summary>
public sealed class ModelHost(
    Func<ServerSettings> settings,
    DocumentStore documents,
    ModelLocator locator,
    IModelSessionHooks? hooks,
    IServingObserver observer,
    ILogger logger,
    Action onMutated,
    Func<string>? modelOptionName = null)
{
    private volatile ServerSettings? _loadedWith;
    private string? _announcedFound;
    private volatile ModelServing? _serving;
    private LoadedModel? _model;
    private RemoteServedModel? _remote;

    /// <summary>The serving object of the loaded model; null while there is none (inference thread).</summary>
    public ModelServing? Serving => _serving;

    public bool HasModel => _serving is not null;

    /// <summary>Protocol thread: the mutation number a request arriving now must see.</summary>
    public FeedMark Mark() => _serving?.Mark() ?? default;

    /// <summary>True when <paramref name="next"/> changes the model, its checkpoints or the plan.</summary>
    public bool NeedsLoad(ServerSettings next) =>
        _loadedWith is not { } loaded
        || loaded.Model != next.Model || loaded.Checkpoints != next.Checkpoints || PlanSettings(loaded) != PlanSettings(next) || loaded.Engine != next.Engine;

    /// <summary>Loads (or reloads) the model for the current settings; only replans when only the plan settings changed.</summary>
    public bool Load(CancellationToken cancellationToken)
    {
        ServerSettings current = settings();
        ServerSettings? previous = _loadedWith;
        if (previous is not null && previous.Model == current.Model && previous.Checkpoints == current.Checkpoints && previous.Engine == current.Engine
            && (_model is not null || _remote is not null))
        {
            if (PlanSettings(previous) != PlanSettings(current))
            {
                _loadedWith = current;
                if (!Replan(current, carryOver: true))
                {
                    return false;
                }

                // A fixed plan setting clears the error the last one left in the status.
                observer.StateChanged(ModelState.Ready, null, _serving!.Figures());
                return true;
            }

            return true; // Several changes queued several loads; the first one did the work.
        }

        Unload();
        _loadedWith = current;
        string? path = current.Model.Path;
        if (path is null)
        {
            ModelLocator.Candidate? found = locator.FindBest();
            if (found is null)
            {
                string where = string.Join(", ", locator.Roots.Select(r => r.Folder));
                Fail(ModelState.NoModel, $"LspLlama: no model configured and none found in {where}. Set {ModelOption} to a GGUF file; completions stay empty until then.", isError: false);
                return false;
            }

            // Shown once, to the user: a model they did not choose must not be a surprise found in the log.
            if (_announcedFound != found.Path)
            {
                _announcedFound = found.Path;
                observer.Notice($"LspLlama: no model configured; using {found.Path} (found in the {found.Tool}). Set {ModelOption} to choose another.");
            }

            path = found.Path;
        }

        if (current.Engine.IsRemote)
        {
            return LoadRemote(path, current, cancellationToken);
        }

        observer.StateChanged(ModelState.Loading, $"loading {path}");
        try
        {
            _model = LoadedModel.Load(path, current.Model, current.Checkpoints, () => DiskTier(current));
        }
#pragma warning disable CA1031 // Whatever the loader throws, the user must hear why, and the server keeps serving.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Unload();
            Fail(ModelState.Error, $"LspLlama: {(e is InvalidModelFileException ? e.Message : $"cannot use model '{path}': {e.Message}")} Completions stay empty until the model is fixed.", isError: true);
            return false;
        }

        if (!Replan(current, carryOver: false))
        {
            return false;
        }

        ModelServing serving = _serving!;
        logger.LogInformation(
            "Loaded {Path} ({Architecture}); {Memory}; prompt format {Format} ({Reason}), layout {Layout}; checkpoint policy {Policy}",
            path, _model.Architecture, _model.Backend.Probe.Describe(), serving.Plan.Format.Name, serving.Plan.Format.Reason, serving.Plan.Layout, _model.Session.PolicyName);
        IReadOnlyList<StoredDocument> remembered = [];
        SessionHooks.Run(hooks, "restoring a stored session", h => remembered = h.Loaded(_model, cancellationToken), logger);
        serving.LayOut(remembered);
        observer.StateChanged(ModelState.Ready, null, serving.Figures());
        onMutated();
        return true;
    }

    /// <summary>
    /// The checkpoints' disk tier, in <c>checkpoints/</c> of the store's folder (so a test's or a
    /// user's store folder holds it too); none when <c>checkpoints.maxDiskMiB</c> is 0 or the folder
    /// cannot be used (said in the log: the server works without it).
    /// </summary>
    private CheckpointDiskTier? DiskTier(ServerSettings current)
    {
        if (current.Checkpoints.Values.MaxDiskBytes <= 0)
        {
            return null;
        }

        string store = Path.GetFullPath(current.Store.Directory ?? StoreLocation.DefaultDirectory());
        string parent = Path.Combine(store, "checkpoints");
        CheckpointDiskTier? tier = null;
        string? problem = null;
        if (StoreFolderTrust.System.Problem(store) is string why)
        {
            // Nothing is created in a folder the store may not use.
            problem = $"the checkpoint folder {parent} is not used: {store}: {why}";
        }
        else
        {
            tier = CheckpointDiskTier.Create(parent, current.Checkpoints.Values.MaxDiskBytes, out problem);
        }

        if (problem is not null)
        {
            logger.LogWarning("{Problem}; checkpoints the memory budget evicts are lost", problem);
        }

        return tier;
    }

    /// <summary>Frees the model (after the hooks saw it); also the worker's last action at shutdown.</summary>
    public void Unload()
    {
        if (_model is { } model)
        {
            ModelServing? serving = _serving;
            SessionHooks.Run(hooks, "persisting the session", h => h.Unloading(model, () => serving?.PlannedDocuments() ?? []), logger);
        }

        DropServing();
        _model?.Dispose();
        _model = null;
        _remote?.Dispose();
        _remote = null;
    }

    /// <summary>
    /// The remote engine (<c>engine.url</c>): the GGUF's vocabulary here, the decode on the server;
    /// no stored sessions (the server's slot keeps the memory).
    /// </summary>
    private bool LoadRemote(string path, ServerSettings current, CancellationToken cancellationToken)
    {
        observer.StateChanged(ModelState.Loading, $"connecting to {current.Engine.Url} for {path}");
        try
        {
            _remote = RemoteServedModel.Connect(path, current.Model, current.Engine, logger, cancellationToken);
        }
#pragma warning disable CA1031 // Whatever fails, the user must hear why, and the server keeps serving.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Unload();
            string reason = e is InvalidModelFileException or RemoteEngineException ? e.Message : $"cannot use model '{path}' with {current.Engine.Url}: {e.Message}";
            Fail(ModelState.Error, $"LspLlama: {reason} Completions stay empty until it is fixed.", isError: true);
            return false;
        }

        if (!Replan(current, carryOver: false))
        {
            return false;
        }

        ModelServing serving = _serving!;
        logger.LogInformation(
            "Serving {Path} ({Architecture}) through {Url} ({Server}); prompt format {Format} ({Reason}), layout {Layout}",
            path, _remote.Architecture, current.Engine.Url, _remote.Server is { } s ? $"{s.Build}, {s.SlotCount} slots of {s.ContextSize} tokens" : "not reached yet",
            serving.Plan.Format.Name, serving.Plan.Format.Reason, serving.Plan.Layout);
        observer.StateChanged(ModelState.Ready, null, serving.Figures());
        onMutated();
        return true;
    }

    /// <summary>
    /// A plan for the current settings: with <paramref name="carryOver"/> (the plan settings
    /// changed) it takes over the served plan's documents, order and evictions, so the memory stays
    /// valid up to the first token the settings change; in open order, most of the context would be
    /// decoded again. False, with a message, when the plan settings do not fit the model.
    /// </summary>
    private bool Replan(ServerSettings current, bool carryOver)
    {
        IServedModel model = (IServedModel?)_model ?? _remote!;
        ContextSettings planSettings = PlanSettings(current) with { ContextSize = model.ContextSize };
        ContextPlan plan;
        try
        {
            plan = new ContextPlan(model.Tokenizer, planSettings);
        }
        catch (ArgumentException e)
        {
            DropServing();
            Fail(ModelState.Error, $"LspLlama: the context settings do not fit the model ({e.Message}); completions stay empty until they do.", isError: true);
            return false;
        }

        if (carryOver && _serving is { } served)
        {
            try
            {
                plan = served.Plan.WithSettings(planSettings);
            }
#pragma warning disable CA1031 // Carrying over only spares decoding: a fresh plan is always right.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning(e, "Could not carry the documents over to the new context plan; it starts from the documents");
            }
        }

        if (_serving is { } serving)
        {
            serving.UsePlan(plan);
        }
        else
        {
            BoundSessionHooks? bound = hooks is null || _model is null ? null : new BoundSessionHooks(hooks, _model, logger);
            _serving = new ModelServing(model, plan, documents, () => ServingOptionsOf(settings()), observer, bound, logger, followDisk: true, onMutated);
        }

        return true;
    }

    private static ServingOptions ServingOptionsOf(ServerSettings s) => new(s.Completion.Generation, s.Completion.ProgressMinTokens, s.Completion.MaxSyncTokens);

    /// <summary>The plan's settings: the context section's, with the active document's part within the sync bound (it is always exact).</summary>
    private static ContextSettings PlanSettings(ServerSettings s) => s.Context.Plan with { MaxActiveTokens = s.Completion.MaxSyncTokens };

    private void DropServing()
    {
        ModelServing? serving = _serving;
        _serving = null;
        serving?.Dispose();
    }

    /// <summary>How the user sets the model in their editor (messages name it).</summary>
    private string ModelOption => modelOptionName?.Invoke() ?? "model.path";

    private void Fail(ModelState state, string message, bool isError)
    {
        observer.StateChanged(state, message);
        observer.Problem(message, isError);
    }
}
