using LspLlama.Server.Handlers;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server;

/// <summary>How a server is set up; the streams are given separately.</summary>
public sealed class LspServerOptions
{
    /// <summary>Where the log goes besides the client: stderr in the executable, a buffer in tests.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>
    /// Every log line on <see cref="Log"/> too, also while the client receives them as
    /// <c>window/logMessage</c> (<c>serve --log-stderr</c>). Off, the stream gets only what the
    /// client cannot: lines before <c>initialize</c> and after the connection is gone. Editors show
    /// a server's stderr as errors (Neovim, VS Code) and next to the log messages, so each line
    /// would appear twice, as an error.
    /// </summary>
    public bool LogToStreamAlways { get; init; }

    /// <summary>The log level until settings say otherwise.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>A file to record the editor traffic to, for replay by <c>lspllama bench --trace</c>.</summary>
    public string? RecordTracePath { get; init; }

    /// <summary>The model file until settings say otherwise (<c>--model</c>).</summary>
    public string? ModelPath { get; init; }

    /// <summary>The remote engine's URL (<c>serve --engine</c>), as if set as engine.url; null keeps the setting's.</summary>
    public Uri? EngineUrl { get; init; }

    /// <summary>Where to look for a model when none is configured (tests point it at an empty folder).</summary>
    public ModelFiles.ModelLocator? ModelLocator { get; init; }

    /// <summary>
    /// Keeps the model's memory across restarts (the session store); called on the inference thread.
    /// Null: nothing is persisted.
    /// </summary>
    public Engine.IModelSessionHooks? SessionHooks { get; init; }

    /// <summary>
    /// Extra handlers beside the built-in ones (tests register probes here), built with the
    /// session's lifecycle, which the handler base classes need.
    /// </summary>
    public Func<ServerLifecycle, IEnumerable<ILspHandler>>? ExtraHandlers { get; init; }

    /// <summary>
    /// Keep the model's memory in the session store across restarts (when the <c>store</c> settings
    /// allow). Off by default, so in-process tests never touch the user's cache folder.
    /// </summary>
    public bool PersistSessions { get; init; }
}
