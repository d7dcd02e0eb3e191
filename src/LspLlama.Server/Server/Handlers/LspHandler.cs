using System.Reflection;
using System.Text.Json;
using LspLlama.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Server.Handlers;

/// <summary>One LSP method, in its own small class, registered in <see cref="HandlerRegistry"/>.</summary>
public interface ILspHandler
{
    string Method { get; }

    void Register(JsonRpc rpc);
}

/// <summary>A handler that adds to the capabilities answered to <c>initialize</c>.</summary>
public interface IAdvertisesCapabilities
{
    ServerCapabilities Advertise(ServerCapabilities capabilities, ClientCapabilities client);
}

/// <summary>
/// A request. LSP lifecycle rules are applied before <see cref="HandleAsync"/> runs: before
/// <c>initialize</c> the answer is ServerNotInitialized, after <c>shutdown</c> InvalidRequest.
/// The token fires on <c>$/cancelRequest</c>.
/// </summary>
public abstract class RequestHandler<TParams, TResult>(ServerLifecycle lifecycle) : ILspHandler
{
    public abstract string Method { get; }

    protected ServerLifecycle Lifecycle => lifecycle;

    public void Register(JsonRpc rpc) =>
        rpc.AddLocalRpcMethod(
            typeof(RequestHandler<TParams, TResult>).GetMethod(nameof(InvokeAsync), BindingFlags.Public | BindingFlags.Instance)!,
            this,
            new JsonRpcMethodAttribute(Method) { UseSingleObjectParameterDeserialization = true });

    /// <summary>
    /// The entry point StreamJsonRpc calls; not for other callers. The parameter is optional so
    /// that <c>params</c> may be absent (as in <c>shutdown</c>); handlers that need it get InvalidParams.
    /// </summary>
    public Task<TResult> InvokeAsync(JsonElement? parameters = null, CancellationToken cancellationToken = default)
    {
        CheckLifecycle();
        TParams? request;
        try
        {
            request = ParamsReader.Read<TParams>(parameters);
        }
        catch (JsonException e)
        {
            throw new LocalRpcException($"{Method}: invalid params: {e.Message}") { ErrorCode = LspErrorCodes.InvalidParams };
        }

        if (request is null && !ParamsOptional)
        {
            throw new LocalRpcException($"{Method}: params are missing") { ErrorCode = LspErrorCodes.InvalidParams };
        }

        return HandleAsync(request!, cancellationToken);
    }

    /// <summary>True when the method takes no params or tolerates their absence.</summary>
    protected virtual bool ParamsOptional => false;

    protected virtual void CheckLifecycle() => lifecycle.EnsureRequestAllowed(Method);

    protected abstract Task<TResult> HandleAsync(TParams request, CancellationToken cancellationToken);
}

/// <summary>
/// A notification. <see cref="Handle"/> is synchronous on purpose: StreamJsonRpc starts handlers
/// in arrival order and runs each until its first await, so document edits apply strictly in order.
/// Before <c>initialize</c> and after <c>shutdown</c> notifications are dropped, as LSP says.
/// </summary>
public abstract class NotificationHandler<TParams>(ServerLifecycle lifecycle, ILoggerFactory loggers) : ILspHandler
{
    private readonly ILogger _logger = loggers.CreateLogger("lsp");

    public abstract string Method { get; }

    protected ServerLifecycle Lifecycle => lifecycle;

    protected ILogger Logger => _logger;

    public void Register(JsonRpc rpc) =>
        rpc.AddLocalRpcMethod(
            typeof(NotificationHandler<TParams>).GetMethod(nameof(Invoke), BindingFlags.Public | BindingFlags.Instance)!,
            this,
            new JsonRpcMethodAttribute(Method) { UseSingleObjectParameterDeserialization = true });

    /// <summary>The entry point StreamJsonRpc calls; not for other callers. Absent params arrive as null.</summary>
    public void Invoke(JsonElement? parameters = null)
    {
        if (!Accepts())
        {
            _logger.LogDebug("{Method} ignored: the server is {State}", Method, lifecycle.IsShutDown ? "shut down" : "not initialized");
            return;
        }

        TParams? notification;
        try
        {
            notification = ParamsReader.Read<TParams>(parameters);
        }
        catch (JsonException e)
        {
            _logger.LogWarning("{Method} with invalid params ignored: {Error}", Method, e.Message);
            return;
        }

        if (notification is null && !ParamsOptional)
        {
            _logger.LogWarning("{Method} without params ignored", Method);
            return;
        }

        try
        {
            Handle(notification!);
        }
#pragma warning disable CA1031 // A notification has nobody to answer: log, and keep serving.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "{Method} failed", Method);
        }
    }

    protected virtual bool Accepts() => lifecycle.AcceptsNotification();

    /// <summary>True when the method takes no params or tolerates their absence.</summary>
    protected virtual bool ParamsOptional => false;

    protected abstract void Handle(TParams notification);
}

/// <summary>
/// Handlers take <c>params</c> as raw JSON and bind it here, so that a bad shape is answered with
/// InvalidParams and a clear message (or logged, for a notification) rather than a generic error.
/// </summary>
public static class ParamsReader
{
    public static T? Read<T>(JsonElement? parameters)
    {
        if (parameters is not JsonElement element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return default;
        }

        try
        {
            return element.Deserialize<T>(LspJson.Options);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports some malformed values (invalid UTF-16 in a name) this way.
            throw new JsonException(e.Message, e);
        }
    }
}
