using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server.Settings;

namespace LspLlama.Server.Handlers;

/// <summary><c>initialized</c>: the client is ready for requests, so pull the settings now.</summary>
public sealed class InitializedHandler(ServerServices services) : NotificationHandler<JsonElement?>(services)
{
    public override string Method => LspMethods.Initialized;

    protected override bool ParamsOptional => true;

    protected override void Handle(JsonElement? notification)
    {
        ConfigurationPuller.Start(Services);
        Services.Engine.Start();
    }
}

/// <summary><c>shutdown</c>: from now on requests get InvalidRequest and notifications are dropped.</summary>
public sealed class ShutdownHandler(ServerServices services) : RequestHandler<JsonElement?, object?>(services)
{
    public override string Method => LspMethods.Shutdown;

    protected override bool ParamsOptional => true;

    protected override Task<object?> HandleAsync(JsonElement? request, CancellationToken cancellationToken)
    {
        Services.Lifecycle.MarkShutDown();
        return Task.FromResult<object?>(null);
    }
}

/// <summary><c>exit</c>: ends the process, with 0 only if <c>shutdown</c> came first.</summary>
public sealed class ExitHandler(ServerServices services) : NotificationHandler<JsonElement?>(services)
{
    public override string Method => LspMethods.Exit;

    protected override bool ParamsOptional => true;

    protected override bool Accepts() => true;

    protected override void Handle(JsonElement? notification) => Services.Lifecycle.Exit();
}
