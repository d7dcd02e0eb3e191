using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using LspLlama.Protocol;
using LspLlama.Server;
using LspLlama.Server.Handlers;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace LspLlama.Tests.Support;

/// <summary>
/// A typed LSP client (StreamJsonRpc's stock header framing, the server's own records) talking to
/// an in-process server over a full-duplex stream. Waits are on messages, with a timeout.
/// </summary>
internal sealed class LspTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly JsonRpc _rpc;
    private readonly Channel<LogMessageParams> _logs = Channel.CreateUnbounded<LogMessageParams>();
    private readonly Channel<ConfigurationParams> _configurationRequests = Channel.CreateUnbounded<ConfigurationParams>();

    /// <param name="persistSessions">Whether the server keeps sessions in the store (tests opt in with a private folder).</param>
    /// <param name="recordTracePath">Where the server records the traffic (<c>serve --record-trace</c>), or null.</param>
    public LspTestClient(Func<ServerLifecycle, IEnumerable<ILspHandler>>? extraHandlers = null, string? recordTracePath = null, bool persistSessions = false)
    {
        (Stream serverSide, Stream clientSide) = FullDuplexStream.CreatePair();

        // No model search: protocol tests must not depend on models the machine happens to have.
        Server = new LspServer(serverSide, serverSide, new LspServerOptions
        {
            Log = Log,
            LogToStreamAlways = true, // tests read the whole log from the captured stream
            ExtraHandlers = extraHandlers,
            ModelLocator = new LspLlama.ModelFiles.ModelLocator([]),
            RecordTracePath = recordTracePath,
            PersistSessions = persistSessions,
        });
        Exited = Server.RunAsync();

        SystemTextJsonFormatter formatter = new() { JsonSerializerOptions = LspJson.CreateOptions() };
        _rpc = new JsonRpc(new HeaderDelimitedMessageHandler(clientSide, clientSide, formatter));
        Add(LspMethods.LogMessage, nameof(OnLogMessage));
        Add(LspMethods.Configuration, nameof(OnConfiguration));
        _rpc.StartListening();
    }

    public LspServer Server { get; }

    public LspTestLog Log { get; } = new();

    public Task<int> Exited { get; }

    /// <summary>What this client answers to workspace/configuration (one item).</summary>
    public JsonElement ConfigurationAnswer { get; set; } = JsonSerializer.SerializeToElement<object?>(null);

    public Task<InitializeResult> InitializeAsync(ClientCapabilities? capabilities = null, object? initializationOptions = null) =>
        RequestAsync<InitializeResult>(LspMethods.Initialize, new
        {
            processId = (int?)null,
            clientInfo = new { name = "test-client", version = "1" },
            capabilities = capabilities ?? new ClientCapabilities(),
            initializationOptions,
        });

    public async Task StartAsync(ClientCapabilities? capabilities = null, object? initializationOptions = null)
    {
        await InitializeAsync(capabilities, initializationOptions);
        await NotifyAsync(LspMethods.Initialized, new { });
    }

    public Task<T> RequestAsync<T>(string method, object? parameters, CancellationToken cancellationToken = default) =>
        _rpc.InvokeWithParameterObjectAsync<T>(method, parameters, cancellationToken).WaitAsync(Timeout, cancellationToken);

    public Task NotifyAsync(string method, object? parameters) => _rpc.NotifyWithParameterObjectAsync(method, parameters);

    public Task OpenAsync(string uri, string text, int version = 1) =>
        NotifyAsync(LspMethods.DidOpen, new DidOpenTextDocumentParams(new TextDocumentItem(uri, "plaintext", version, text)));

    public Task ChangeAsync(string uri, int version, params TextDocumentContentChangeEvent[] changes) =>
        NotifyAsync(LspMethods.DidChange, new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, version), changes));

    public Task<DocumentTextResult> DocumentTextAsync(string uri) =>
        RequestAsync<DocumentTextResult>(LspMethods.DocumentText, new DocumentTextParams(uri));

    /// <summary>Waits for a window/logMessage that contains <paramref name="text"/>.</summary>
    public async Task<LogMessageParams> WaitForLogAsync(string text) => (await LogsUntilAsync(text))[^1];

    /// <summary>The window/logMessages received up to the first that contains <paramref name="text"/>, that one last.</summary>
    public async Task<IReadOnlyList<LogMessageParams>> LogsUntilAsync(string text)
    {
        using CancellationTokenSource timeout = new(Timeout);
        List<LogMessageParams> seen = [];
        while (true)
        {
            LogMessageParams message = await _logs.Reader.ReadAsync(timeout.Token);
            seen.Add(message);
            if (message.Message.Contains(text, StringComparison.Ordinal))
            {
                return seen;
            }
        }
    }

    public async Task<ConfigurationParams> WaitForConfigurationRequestAsync()
    {
        using CancellationTokenSource timeout = new(Timeout);
        return await _configurationRequests.Reader.ReadAsync(timeout.Token);
    }

    public async Task<int> ShutdownAndExitAsync()
    {
        await RequestAsync<JsonElement?>(LspMethods.Shutdown, null);
        await NotifyAsync(LspMethods.Exit, null);
        return await Exited.WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await Server.DisposeAsync();
    }

    public void OnLogMessage(LogMessageParams message) => _logs.Writer.TryWrite(message);

    public JsonElement[] OnConfiguration(ConfigurationParams request)
    {
        _configurationRequests.Writer.TryWrite(request);
        return [ConfigurationAnswer];
    }

    private void Add(string method, string handler) =>
        _rpc.AddLocalRpcMethod(
            typeof(LspTestClient).GetMethod(handler, BindingFlags.Public | BindingFlags.Instance)!,
            this,
            new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });
}
