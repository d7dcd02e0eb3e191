using LspLlama.Server;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;

namespace LspLlama.Cli;

/// <summary>
/// <c>lspllama serve</c> (the default command): the language server on stdin/stdout.
/// stdout is opened once, here, and carries nothing but LSP frames; logs go to stderr.
/// </summary>
internal sealed class ServeCommand : ICommand
{
    public string Name => "serve";

    public string Summary => "run the language server on stdio (the default); --model FILE.gguf, --engine URL (decode on a llama-server running the same GGUF, as engine.url), --record-trace FILE, --log-level trace|debug|information|warning|error, --log-stderr (every log line on stderr too, not only those the editor cannot get as window/logMessage)";

    public async Task<int> RunAsync(ArgReader args)
    {
        string? levelText = args.Option("--log-level");
        string? model = args.Option("--model", "-m");
        string? recordTrace = args.Option("--record-trace");
        string? engine = args.Option("--engine");
        bool logStderr = args.Flag("--log-stderr");
        args.Flag("--stdio"); // What some clients append; stdio is the only transport anyway.
        args.EnsureAllUsed();
        Uri? engineUrl = engine is null ? null
            : EngineSettingsSection.ParseUrl(engine) ?? throw new UsageException($"--engine: '{engine}' is not an http or https URL");
        LogLevel level = LogLevel.Information;
        if (levelText is not null && !LogSettingsSection.TryParseLevel(levelText, out level))
        {
            throw new UsageException($"--log-level: unknown level '{levelText}'");
        }

        Stream input = Console.OpenStandardInput();
        Stream output = ProtocolStdout.Take();
        LspServer server;
        try
        {
            server = new(input, output, new LspServerOptions { Log = Console.Error, LogToStreamAlways = logStderr, LogLevel = level, ModelPath = model is null ? null : Path.GetFullPath(model), EngineUrl = engineUrl, RecordTracePath = recordTrace, PersistSessions = true });
        }
        catch (Exception e) when (recordTrace is not null && e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"--record-trace: cannot write '{recordTrace}': {e.Message}");
        }

        int exitCode = await server.RunAsync().ConfigureAwait(false);

        // Not disposing stdin: a pending read on it may never return, and the process is ending.
        await server.DisposeAsync().ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
        return exitCode;
    }
}
