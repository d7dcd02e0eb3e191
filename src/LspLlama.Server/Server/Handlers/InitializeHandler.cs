using System.Reflection;
using LspLlama.Logging;
using LspLlama.Protocol;
using LspLlama.Server.Settings;
using LspLlama.Traces;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Handlers;

/// <summary>
/// <c>initialize</c>: negotiates the position encoding, reads settings from
/// <c>initializationOptions</c> and advertises what the registered handlers serve.
/// </summary>
public sealed class InitializeHandler(
    ServerLifecycle lifecycle,
    ClientLogSink clientLog,
    SettingsStore settings,
    TraceRecorder? recorder,
    Func<IReadOnlyList<ILspHandler>> handlers,
    ILoggerFactory loggers)
    : RequestHandler<InitializeParams, InitializeResult>(lifecycle)
{
    private readonly ILogger _logger = loggers.CreateLogger("lsp");

    public override string Method => LspMethods.Initialize;

    protected override void CheckLifecycle()
    {
        if (Lifecycle.IsShutDown)
        {
            Lifecycle.EnsureRequestAllowed(Method);
        }

        Lifecycle.EnsureNotInitialized();
    }

    protected override Task<InitializeResult> HandleAsync(InitializeParams request, CancellationToken cancellationToken)
    {
        // Only an initialize whose params were read counts: one refused as InvalidParams may be retried.
        ClientCapabilities client = request.Capabilities ?? new ClientCapabilities();
        var hello = new ClientHello(client, request.ClientInfo?.Name, ProtocolConversions.Negotiate(client.General?.PositionEncodings), WorkspaceRoot.Of(request));
        Lifecycle.MarkInitialized(hello);

        // LSP allows window/logMessage while initialize is being answered.
        clientLog.Enable();
        settings.Apply(request.InitializationOptions, "initializationOptions");
        recorder?.Begin(request.RootUri ?? string.Empty, ProtocolConversions.ToWire(hello.PositionEncoding));

        ServerCapabilities capabilities = new(
            PositionEncoding: ProtocolConversions.ToWire(hello.PositionEncoding),
            TextDocumentSync: new TextDocumentSyncOptions(OpenClose: true, Change: TextDocumentSyncKind.Incremental, Save: new SaveOptions(IncludeText: false)));
        foreach (IAdvertisesCapabilities handler in handlers().OfType<IAdvertisesCapabilities>())
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
