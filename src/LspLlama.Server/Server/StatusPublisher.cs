using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Engine;
using LspLlama.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Server;

/// <summary>
/// The server's side of <see cref="IServingObserver"/>: keeps the latest <c>lspllama/status</c>,
/// sends <c>lspllama/statusChanged</c>, <c>window/showMessage</c> and <c>$/progress</c>. The
/// engine's figures become protocol records here and nowhere else.
/// </summary>
public sealed class StatusPublisher(JsonRpc rpc, ServerLifecycle lifecycle, ILogger logger) : IServingObserver
{
    private readonly PrefillProgress _progress = new(rpc, lifecycle);
    private volatile StatusReport _status = new(
        "noModel", null, null, null, 0, 0, new CheckpointStatus(0, 0), SyncStatus.None, GenerationStatus.None, 0, 0, null, "not started");

    private ModelState _state = ModelState.NoModel;
    private string? _message = "not started";
    private ServingFigures? _figures;
    private volatile bool _closing;

    /// <summary>The latest status; safe from any thread.</summary>
    public StatusReport Status => _status;

    /// <summary>Set when the server is stopping: no more messages to the client.</summary>
    public bool Closing
    {
        get => _closing;
        set => _closing = value;
    }

    public void StateChanged(ModelState state, string? message, ServingFigures? figures = null)
    {
        _state = state;
        _message = message;
        _figures = figures; // Loading, failed or gone: the figures of the model before no longer hold.
        Publish();
    }

    public void Problem(string message, bool isError)
    {
        logger.Log(isError ? LogLevel.Error : LogLevel.Warning, "{Message}", message);
        Notify(LspMethods.ShowMessage, new ShowMessageParams(isError ? MessageType.Error : MessageType.Warning, message));
    }

    public void Notice(string message)
    {
        logger.LogInformation("{Message}", message);
        Notify(LspMethods.ShowMessage, new ShowMessageParams(MessageType.Info, message));
    }

    public void Served(ServingFigures figures)
    {
        _figures = figures;
        Publish();
    }

    public void LongSync(int tokens, Action<Action<int>> work)
    {
        if (Closing)
        {
            work(_ => { });
            return;
        }

        _progress.Run(tokens, work);
    }

    private void Publish()
    {
        StatusReport status = Report(_state, _message, _figures);
        _status = status;
        Notify(LspMethods.StatusChanged, status);
    }

    private static StatusReport Report(ModelState state, string? message, ServingFigures? f)
    {
        string name = Camel(state.ToString())!;
        if (f is null)
        {
            return new StatusReport(name, null, null, null, 0, 0, new CheckpointStatus(0, 0), SyncStatus.None, GenerationStatus.None, 0, 0, null, message, LagStatus.None);
        }

        return new StatusReport(
            name,
            new ModelStatus(f.ModelPath, f.Architecture),
            Camel(f.MemoryKind.ToString()),
            f.Policy,
            f.HeldTokens,
            f.ContextSize,
            new CheckpointStatus(f.CheckpointCount, f.CheckpointBytes, f.PeakCheckpointBytes, f.SpilledCount, f.SpilledBytes),
            f.LastSync is { } sync ? ToStatus(sync) : SyncStatus.None,
            ToStatus(f.LastAnswer),
            f.Syncs,
            f.Completions,
            f.LastPlan is { } plan
                ? new PlanStatus(
                    [.. plan.Segments.Select(s => new SegmentStatus(s.Uri, s.Start, s.Length, s.Active, s.Closed))],
                    plan.Hints.CursorLineStart,
                    plan.Hints.PrefixEnd,
                    plan.Hints.SuffixStart)
                : null,
            message,
            f.Lag is { } lag ? new LagStatus(lag.Documents, lag.Tokens, lag.OldestChange.TotalMilliseconds, lag.BoundedRequests) : LagStatus.None);
    }

    private static SyncStatus ToStatus(SyncFigures f) => new(
        f.Kept, f.RestoredFrom, f.CommonPrefix, f.Decoded, f.Ideal, f.Desired,
        (f.Decoding + f.Saving + f.Restoring).TotalMilliseconds,
        f.Decoding.TotalMilliseconds, f.Saving.TotalMilliseconds, f.Restoring.TotalMilliseconds,
        f.FullReprocess, f.Cancelled, f.Traffic.BytesCopied, f.Traffic.Evictions, f.Traffic.DiskRestores > 0);

    private static GenerationStatus ToStatus(CompletionAnswer? answer) => answer switch
    {
        null => GenerationStatus.None,
        { Generation: { } g } => new GenerationStatus(g.Tokens, g.Elapsed.TotalMilliseconds, g.StopReason.ToString(), null),
        _ => new GenerationStatus(0, 0, null, Camel(answer.FromCache?.ToString())),
    };

    private void Notify(string method, object payload)
    {
        if (Closing || lifecycle.IsShutDown)
        {
            return;
        }

        _ = rpc.NotifyWithParameterObjectAsync(method, payload).ContinueWith(
            t =>
            {
                if (t.Exception?.InnerException is { } e && e is not (ConnectionLostException or ObjectDisposedException))
                {
                    logger.LogWarning(e, "Failed sending {Method}", method);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static string? Camel(string? name) => string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
