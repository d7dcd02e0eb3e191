using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using LspLlama.Core.Session;
using LspLlama.Engine;
using LspLlama.ModelFiles;
using LspLlama.Protocol;
using LspLlama.Server;
using LspLlama.Tests.Support;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace LspLlama.Tests.Engine;

/// <summary>
/// An LSP client for engine tests: an in-process server whose model locator looks only in an
/// empty folder (so no model of this machine is ever picked up), and queues of what the server
/// sends (statusChanged, showMessage, $/progress). Waits are on messages, with a timeout.
/// </summary>
internal sealed class EngineClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly JsonRpc _rpc;
    private readonly string _emptyFolder = Directory.CreateTempSubdirectory("lspllama-engine-").FullName;
    private readonly Channel<JsonElement> _statuses = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<ShowMessageParams> _messages = Channel.CreateUnbounded<ShowMessageParams>();
    private readonly Channel<JsonElement> _progress = Channel.CreateUnbounded<JsonElement>();

    public EngineClient(string? modelPathOption = null, IModelSessionHooks? hooks = null, string? recordTracePath = null)
    {
        (Stream serverSide, Stream clientSide) = FullDuplexStream.CreatePair();
        Server = new LspServer(serverSide, serverSide, new LspServerOptions
        {
            Log = Log,
            LogToStreamAlways = true, // tests read the whole log from the captured stream
            ModelPath = modelPathOption,
            ModelLocator = new ModelLocator([new ModelLocator.SearchRoot("test folder", _emptyFolder)]),
            SessionHooks = hooks,
            RecordTracePath = recordTracePath,
        });
        Exited = Server.RunAsync();

        SystemTextJsonFormatter formatter = new() { JsonSerializerOptions = LspJson.CreateOptions() };
        _rpc = new JsonRpc(new HeaderDelimitedMessageHandler(clientSide, clientSide, formatter));
        Add(LspMethods.StatusChanged, nameof(OnStatusChanged));
        Add(LspMethods.ShowMessage, nameof(OnShowMessage));
        Add(LspMethods.Progress, nameof(OnProgress));
        Add(LspMethods.WorkDoneProgressCreate, nameof(OnCreateProgress));
        _rpc.StartListening();
    }

    public LspServer Server { get; }

    public LspTestLog Log { get; } = new();

    public Task<int> Exited { get; }

    public string EmptyFolder => _emptyFolder;

    /// <summary>The checkpoint values of <see cref="Settings"/>, for a replay with the same ones.</summary>
    public static CheckpointSettings Checkpoints { get; } = new(MinSpacingTokens: 4, IntervalTokens: 256);

    /// <summary>Settings for a fast test: small context and batches, few generated tokens, no idle prefill.</summary>
    public static Dictionary<string, object?> Settings(
        string? modelPath, int contextSize = 1024, int batchSize = 32, int maxTokens = 6, int idlePrefillMs = 0, string policy = "lspllama") => new()
        {
            ["model"] = new { path = modelPath, contextSize, batchSize, microBatchSize = batchSize, threads = 2 },
            ["checkpoints"] = new { policy, minSpacingTokens = Checkpoints.MinSpacingTokens, intervalTokens = Checkpoints.IntervalTokens },
            ["completion"] = new { maxTokens, idlePrefillMs, timeBudgetMs = 60_000 },
        };

    /// <summary>initialize (with these settings as initializationOptions) and initialized.</summary>
    public async Task StartAsync(object? initializationOptions, bool workDoneProgress = false, string? clientName = null)
    {
        await RequestAsync<JsonElement>(LspMethods.Initialize, new
        {
            processId = (int?)null,
            clientInfo = clientName is null ? null : new { name = clientName },
            capabilities = new { window = new { workDoneProgress } },
            initializationOptions,
        });
        await NotifyAsync(LspMethods.Initialized, new { });
    }

    /// <summary>Starts with a model and waits until it is loaded.</summary>
    public async Task<JsonElement> StartWithModelAsync(object settings, bool workDoneProgress = false)
    {
        await StartAsync(settings, workDoneProgress);
        return await WaitForStatusAsync(s => State(s) == "ready");
    }

    public Task<T> RequestAsync<T>(string method, object? parameters, CancellationToken cancellationToken = default) =>
        _rpc.InvokeWithParameterObjectAsync<T>(method, parameters, cancellationToken).WaitAsync(Timeout, CancellationToken.None);

    public Task NotifyAsync(string method, object? parameters) => _rpc.NotifyWithParameterObjectAsync(method, parameters);

    public Task OpenAsync(string uri, string text) =>
        NotifyAsync(LspMethods.DidOpen, new DidOpenTextDocumentParams(new TextDocumentItem(uri, "python", 1, text)));

    /// <summary>Inserts <paramref name="text"/> at a position.</summary>
    public Task InsertAsync(string uri, int version, int line, int character, string text) =>
        NotifyAsync(LspMethods.DidChange, new DidChangeTextDocumentParams(
            new VersionedTextDocumentIdentifier(uri, version),
            [new TextDocumentContentChangeEvent(text, new LspLlama.Protocol.Range(new Position(line, character), new Position(line, character)))]));

    public Task<InlineCompletionList> InlineAsync(string uri, int line, int character, CancellationToken cancellationToken = default) =>
        RequestAsync<InlineCompletionList>(
            LspMethods.InlineCompletion,
            new InlineCompletionParams(new TextDocumentIdentifier(uri), new Position(line, character), new InlineCompletionContext(2)),
            cancellationToken);

    public Task<CompletionList> ClassicAsync(string uri, int line, int character) =>
        RequestAsync<CompletionList>(LspMethods.Completion, new CompletionParams(new TextDocumentIdentifier(uri), new Position(line, character)));

    public Task<JsonElement> StatusAsync() => RequestAsync<JsonElement>(LspMethods.Status, null);

    public static string? State(JsonElement status) => status.GetProperty("state").GetString();

    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> matches)
    {
        using CancellationTokenSource timeout = new(Timeout);
        while (true)
        {
            JsonElement status = await _statuses.Reader.ReadAsync(timeout.Token);
            if (matches(status))
            {
                return status;
            }
        }
    }

    public async Task<ShowMessageParams> WaitForMessageAsync()
    {
        using CancellationTokenSource timeout = new(Timeout);
        return await _messages.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Waits for a <c>$/progress</c> whose value has this kind (begin, report, end).</summary>
    public async Task<JsonElement> WaitForProgressAsync(string kind)
    {
        using CancellationTokenSource timeout = new(Timeout);
        while (true)
        {
            JsonElement progress = await _progress.Reader.ReadAsync(timeout.Token);
            if (progress.GetProperty("value").GetProperty("kind").GetString() == kind)
            {
                return progress;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_emptyFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public void OnStatusChanged(JsonElement status) => _statuses.Writer.TryWrite(status.Clone());

    public void OnShowMessage(ShowMessageParams message) => _messages.Writer.TryWrite(message);

    public void OnProgress(JsonElement progress) => _progress.Writer.TryWrite(progress.Clone());

    public object? OnCreateProgress(JsonElement request) => null;

    private void Add(string method, string handler) =>
        _rpc.AddLocalRpcMethod(
            typeof(EngineClient).GetMethod(handler, BindingFlags.Public | BindingFlags.Instance)!,
            this,
            new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });
}
