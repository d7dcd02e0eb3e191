using System.Text.Json;
using LspLlama.Engine;
using LspLlama.Protocol;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Handlers;

/// <summary><c>initialized</c>: the client is ready for requests, so pull the settings now.</summary>
public sealed class InitializedHandler(ServerLifecycle lifecycle, ILoggerFactory loggers, ConfigurationPuller configuration, CompletionEngine engine)
    : NotificationHandler<JsonElement?>(lifecycle, loggers)
{
    public override string Method => LspMethods.Initialized;

    protected override bool ParamsOptional => true;

    protected override void Handle(JsonElement? notification)
    {
        configuration.Start();
        engine.Start();
    }
}

/// <summary><c>shutdown</c>: from now on requests get InvalidRequest and notifications are dropped.</summary>
public sealed class ShutdownHandler(ServerLifecycle lifecycle) : RequestHandler<JsonElement?, object?>(lifecycle)
{
    public override string Method => LspMethods.Shutdown;

    protected override bool ParamsOptional => true;

    protected override Task<object?> HandleAsync(JsonElement? request, CancellationToken cancellationToken)
    {
        Lifecycle.MarkShutDown();
        return Task.FromResult<object?>(null);
    }
}

/// <summary><c>exit</c>: ends the process, with 0 only if <c>shutdown</c> came first.</summary>
public sealed class ExitHandler(ServerLifecycle lifecycle, ILoggerFactory loggers) : NotificationHandler<JsonElement?>(lifecycle, loggers)
{
    public override string Method => LspMethods.Exit;

    protected override bool ParamsOptional => true;

    protected override bool Accepts() => true;

    protected override void Handle(JsonElement? notification) => Lifecycle.Exit();
}
