using LspLlama.Traces;
using LspLlama.Core.Documents;
using LspLlama.Engine;
using LspLlama.ModelFiles;
using LspLlama.Logging;
using LspLlama.Protocol;
using LspLlama.Server.Handlers;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Server;

/// <summary>
/// The language server on a pair of streams (stdio in the executable, an in-memory duplex pipe
/// in tests). <see cref="RunAsync"/> ends when the client sends <c>exit</c> or goes away; it does
/// not wait for the input to close, because a blocking stdin read on Unix may never return.
/// </summary>
public sealed class LspServer : IAsyncDisposable
{
    private static readonly TimeSpan s_answerLimit = TimeSpan.FromSeconds(2);

    private readonly LspMessageHandler _messages;
    private readonly JsonRpc _rpc;
    private volatile bool _disconnected;
    private readonly TraceRecorder? _recorder;
    private readonly ILogger _logger;

    public LspServer(Stream input, Stream output, LspServerOptions options)
    {
        LogLevelSwitch level = new(options.LogLevel);
        ClientLogSink clientLog = new();
        ServerLoggerFactory loggers = new(level, [new WhenClientDeafLogSink(new TextWriterLogSink(options.Log), clientLog, options.LogToStreamAlways), clientLog]);
        _logger = loggers.CreateLogger("server");

        SystemTextJsonFormatter formatter = new()
        {
            // Assigned whole: the formatter copies it and adds its own converters (request ids,
            // which $/cancelRequest needs), which it would not do for a mutated instance.
            JsonSerializerOptions = LspJson.CreateOptions(),
        };
        _messages = new LspMessageHandler(input, output, formatter, loggers.CreateLogger("transport"));
        _rpc = new JsonRpc(_messages)
        {
            CancelLocallyInvokedMethodsWhenConnectionIsClosed = true,
            TraceSource = JsonRpcTraceBridge.CreateSource(loggers.CreateLogger("jsonrpc"), verbose: options.LogLevel <= LogLevel.Trace),
        };
        clientLog.Attach(_rpc);

        ServerLifecycle lifecycle = new();
        ServerSettings initial = ServerSettings.Default with { Log = new LogSettings(options.LogLevel) };
        if (options.ModelPath is not null)
        {
            initial = initial with { Model = initial.Model with { Path = options.ModelPath } };
        }

        if (options.EngineUrl is not null)
        {
            initial = initial with { Engine = initial.Engine with { Url = options.EngineUrl } };
        }

        SettingsStore settings = new(initial, loggers.CreateLogger("settings"));
        settings.Changed += s => level.Minimum = s.Log.Level;
        Lifecycle = lifecycle;
        Settings = settings;
        _recorder = options.RecordTracePath is null ? null : TraceRecorder.Create(options.RecordTracePath, loggers.CreateLogger("trace"));
        IModelSessionHooks? hooks = options.SessionHooks
            ?? (options.PersistSessions ? SessionPersistence.ForServer(settings, () => lifecycle.Client.WorkspaceRoot, loggers) : null);
        Engine = new CompletionEngine(settings, Documents, lifecycle, _rpc, loggers, options.ModelLocator ?? ModelLocator.ForCurrentUser(), hooks);

        var configuration = new ConfigurationPuller(_rpc, lifecycle, settings, loggers.CreateLogger("settings"));
        List<ILspHandler> handlers = [];
        handlers.AddRange(HandlerRegistry.Create(lifecycle, Documents, settings, Engine, configuration, clientLog, _recorder, loggers, () => handlers));
        handlers.AddRange(options.ExtraHandlers?.Invoke(lifecycle) ?? []);
        foreach (ILspHandler handler in handlers)
        {
            handler.Register(_rpc);
        }

        _rpc.Disconnected += (_, e) =>
        {
            if (!lifecycle.Exited.IsCompleted)
            {
                _logger.LogInformation("The client disconnected ({Reason}: {Description})", e.Reason, e.Description);
            }

            _disconnected = true;

            // Answers can no longer be sent (StreamJsonRpc drops them once disconnected), so the
            // session ends now rather than after whatever was still running.
            clientLog.Disable();
            lifecycle.Exit();
        };
    }

    /// <summary>The documents as the server holds them (other components subscribe here).</summary>
    public DocumentStore Documents { get; } = new();

    public ServerLifecycle Lifecycle { get; }

    public SettingsStore Settings { get; }

    /// <summary>The model side: completions, prefill, status.</summary>
    public CompletionEngine Engine { get; }

    /// <summary>Starts reading messages and completes with the process exit code.</summary>
    public async Task<int> RunAsync()
    {
        _rpc.StartListening();
        int exitCode = await Lifecycle.Exited.ConfigureAwait(false);
        if (_disconnected)
        {
            return exitCode; // Nobody is left to read the answers.
        }

        try
        {
            await _messages.AllAnsweredAsync().WaitAsync(s_answerLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogDebug("Exiting with requests still unanswered");
        }

        return exitCode;
    }

    public ValueTask DisposeAsync()
    {
        Engine.Dispose();
        _recorder?.Dispose();
        _rpc.Dispose();
        return ValueTask.CompletedTask;
    }
}
