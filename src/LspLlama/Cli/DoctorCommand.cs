using System.Globalization;
using System.Text;
using LspLlama.Core.Context;
using LspLlama.Core.Context.Formats;
using LspLlama.Engine;
using LspLlama.ModelFiles;
using LspLlama.Server.Settings;
using LspLlama.Store;
using Microsoft.Extensions.Logging;

namespace LspLlama.Cli;

/// <summary>
/// <c>lspllama doctor</c>: checks what a first start needs, one line per check on stdout, each
/// starting with <c>ok:</c>, <c>warning:</c> or <c>problem:</c> (the editors' health checks read
/// them). Exit code 1 when any check found a problem.
/// </summary>
internal sealed class DoctorCommand : ICommand
{
    public string Name => "doctor";

    public string Summary => "check the set-up: server, model, vocabulary, memory kind, store folder, log level; [--model FILE.gguf] [--store-dir DIR] [--log-level L]";

    public Task<int> RunAsync(ArgReader args)
    {
        string? model = args.Option("--model", "-m");
        string? storeDir = args.Option("--store-dir");
        string? levelText = args.Option("--log-level");
        args.EnsureAllUsed();
        using StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false));
        var report = new DoctorReport(stdout);
        Run(report, model is null ? null : Path.GetFullPath(model), storeDir, levelText, ModelLocator.ForCurrentUser());
        return Task.FromResult(report.Problems > 0 ? 1 : 0);
    }

    internal static void Run(DoctorReport report, string? model, string? storeDir, string? levelText, ModelLocator locator)
    {
        report.Ok($"server: lspllama {VersionCommand.Version} (in {AppContext.BaseDirectory}, .NET {Environment.Version})");
        string? path = FindModel(report, model, locator);
        if (path is not null)
        {
            CheckModel(report, path);
        }

        CheckStore(report, storeDir ?? StoreLocation.DefaultDirectory());
        if (levelText is null)
        {
            report.Ok("log level: information (the default; setting log.level)");
        }
        else if (LogSettingsSection.TryParseLevel(levelText, out LogLevel level))
        {
            report.Ok($"log level: {level.ToString().ToLowerInvariant()}");
        }
        else
        {
            report.Problem($"log level: '{levelText}' is not one of trace, debug, information, warning, error, critical, none");
        }
    }

    private static string? FindModel(DoctorReport report, string? model, ModelLocator locator)
    {
        if (model is not null)
        {
            return model;
        }

        ModelLocator.Candidate? found = locator.FindBest();
        if (found is null)
        {
            report.Problem($"model: none configured and none found in {string.Join(", ", locator.Roots.Select(r => r.Folder))}; set the editor's model path (or --model FILE here)");
            return null;
        }

        report.Warning($"model: none configured; the server would use {found.Path} (found in the {found.Tool})");
        return found.Path;
    }

    private static void CheckModel(DoctorReport report, string path)
    {
        try
        {
            // Small settings: the check needs the vocabulary and the memory, not a large context.
            using LoadedModel loaded = LoadedModel.Load(path, new ModelSettings(path, ContextSize: 512, BatchSize: 64, MicroBatchSize: 64), new CheckpointSection());
            long bytes = new FileInfo(path).Length;
            report.Ok(string.Create(CultureInfo.InvariantCulture, $"model: {path} ({loaded.Architecture}, {bytes / 1048576.0:F1} MiB)"));
            var special = loaded.Tokenizer.Special;
            PromptFormat format = PromptFormats.Resolve(loaded.Tokenizer, new ContextSettings());
            string vocabulary = $"vocabulary: {loaded.Tokenizer.VocabularySize} tokens, fill-in-the-middle tokens {(special.HasFim ? "present" : "absent")}, format {format.Name} ({format.Reason}), layout {format.Layout}";
            if (special.HasFim)
            {
                report.Ok(vocabulary);
            }
            else
            {
                report.Warning(vocabulary + ": a code model with FIM tokens completes better");
            }

            report.Ok(loaded.Backend.Probe.Describe()); // "memory: Hybrid (…)"
        }
        catch (InvalidModelFileException e)
        {
            report.Problem($"model: {e.Message}");
        }
#pragma warning disable CA1031 // Whatever the loader throws is the finding.
        catch (Exception e)
#pragma warning restore CA1031
        {
            report.Problem($"model: cannot use '{path}': {e.Message}");
        }
    }

    private static void CheckStore(DoctorReport report, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".doctor-{Environment.ProcessId}.tmp");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            report.Ok($"store folder: {folder} (writable)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.Problem($"store folder: {folder} is not writable ({e.Message}); sessions will not persist (setting store.directory, or store.enabled false)");
        }
    }
}

/// <summary>The doctor's findings, written as they come.</summary>
internal sealed class DoctorReport(TextWriter output)
{
    public int Problems { get; private set; }

    public void Ok(string text) => output.WriteLine("ok: " + text);

    public void Warning(string text) => output.WriteLine("warning: " + text);

    public void Problem(string text)
    {
        Problems++;
        output.WriteLine("problem: " + text);
    }
}
