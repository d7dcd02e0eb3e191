using System.Reflection;
using LspLlama.Protocol;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Handlers;

/// <summary>
/// <c>initialize</c>: negotiates the position encoding, reads settings from
/// <c>initializationOptions</c> and advertises what the registered handlers serve.
/// </summary>
public sealed class InitializeHandler(ServerServices services) : RequestHandler<InitializeParams, InitializeResult>(services)
{
    private readonly ILogger _logger = services.Loggers.CreateLogger("lsp");

    public override string Method => LspMethods.Initialize;

    protected override void CheckLifecycle()
    {
        if (Services.Lifecycle.IsShutDown)
        {
            Services.Lifecycle.EnsureRequestAllowed(Method);
        }

        Services.Lifecycle.MarkInitialized();
    }

    protected override Task<InitializeResult> HandleAsync(InitializeParams request, CancellationToken cancellationToken)
    {
        // LSP allows window/logMessage while initialize is being answered.
        Services.ClientLog.Enable();
        ClientCapabilities client = request.Capabilities ?? new ClientCapabilities();
        Services.ClientCapabilities = client;
        Services.PositionEncoding = ProtocolConversions.Negotiate(client.General?.PositionEncodings);
        Services.WorkspaceRoot = WorkspaceRoot.Of(request);
        Services.Settings.Apply(request.InitializationOptions, "initializationOptions");
        Services.Recorder?.Begin(request.RootUri ?? string.Empty, ProtocolConversions.ToWire(Services.PositionEncoding));

        ServerCapabilities capabilities = new(
            PositionEncoding: ProtocolConversions.ToWire(Services.PositionEncoding),
            TextDocumentSync: new TextDocumentSyncOptions(OpenClose: true, Change: TextDocumentSyncKind.Incremental, Save: new SaveOptions(IncludeText: false)));
        foreach (IAdvertisesCapabilities handler in Services.Handlers.OfType<IAdvertisesCapabilities>())
        {
            capabilities = handler.Advertise(capabilities, client);
        }

        _logger.LogInformation(
            "Initialized by {Client} {Version}; position encoding {Encoding}",
            request.ClientInfo?.Name ?? "an unnamed client",
            request.ClientInfo?.Version ?? string.Empty,
            capabilities.PositionEncoding);
        return Task.FromResult(new InitializeResult(capabilities, new ServerInfo("lspllama", Version)));
    }

    private static string? Version =>
        typeof(InitializeHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
