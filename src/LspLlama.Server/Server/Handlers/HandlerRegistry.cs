using LspLlama.Core.Documents;
using LspLlama.Engine;
using LspLlama.Logging;
using LspLlama.Server.Settings;
using LspLlama.Traces;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Handlers;

/// <summary>
/// The one list of every method the server serves, each handler given only what it uses. A new
/// method is one line here.
/// </summary>
public static class HandlerRegistry
{
    /// <param name="all">Every registered handler, built-in and extra (initialize asks them which capabilities to advertise).</param>
    public static IReadOnlyList<ILspHandler> Create(
        ServerLifecycle lifecycle,
        DocumentStore documents,
        SettingsStore settings,
        CompletionEngine engine,
        ConfigurationPuller configuration,
        ClientLogSink clientLog,
        TraceRecorder? recorder,
        ILoggerFactory loggers,
        Func<IReadOnlyList<ILspHandler>> all) =>
    [
        new InitializeHandler(lifecycle, clientLog, settings, recorder, all, loggers),
        new InitializedHandler(lifecycle, loggers, configuration, engine),
        new ShutdownHandler(lifecycle),
        new ExitHandler(lifecycle, loggers),
        new DidOpenHandler(lifecycle, loggers, documents, recorder),
        new DidChangeHandler(lifecycle, loggers, documents, recorder),
        new DidCloseHandler(lifecycle, loggers, documents, recorder),
        new DidSaveHandler(lifecycle, loggers, documents),
        new DidChangeConfigurationHandler(lifecycle, loggers, settings, configuration),
        new DocumentTextHandler(lifecycle, documents),
        new InlineCompletionHandler(lifecycle, engine, recorder),
        new CompletionHandler(lifecycle, engine, recorder),
        new StatusHandler(lifecycle, engine),
    ];
}
