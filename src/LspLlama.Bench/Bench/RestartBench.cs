using System.Globalization;
using System.Text;
using System.Text.Json;
using LspLlama.Models;
using LspLlama.Store;

namespace LspLlama.Bench;

/// <summary>
/// <c>lspllama bench --restart</c>: the time to the first completion after a restart, with the
/// session store and without it, in one run. A tiny hybrid model (or <c>--model</c>) serves a
/// generated workspace that fills the context (<c>--context</c>, 32768 by default). Three starts:
/// the first fills the store (and warms the runtime up), the second starts with the store off,
/// the third starts with the file the first one saved, and a fourth reopens only the last file,
/// as VS Code does after a restart (the other files come from disk, in the stored order). The
/// report goes to stdout, progress to stderr.
/// </summary>
public static class RestartBench
{
    /// <summary>The smallest context the generated workspace fits in.</summary>
    public const int MinContextSize = 1024;

    /// <summary>Runs the four starts and prints the report; <paramref name="model"/> null builds a tiny hybrid model.</summary>
    public static async Task<int> RunAsync(int contextSize, string? model, string? json)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextSize, MinContextSize);
        string root = Directory.CreateTempSubdirectory("lspllama-restart-").FullName;
        try
        {
            if (model is null)
            {
                model = Path.Combine(root, "granitehybrid-tiny.gguf");
                Console.Error.WriteLine("building a tiny granitehybrid model");
                TinyModelBuilder.Build(new ModelBuildOptions { Arch = ModelArch.GraniteHybrid, ContextLength = Math.Max(contextSize, 65536) }, model);
            }

            model = Path.GetFullPath(model);
            string workspace = Directory.CreateDirectory(Path.Combine(root, "workspace")).FullName;
            string store = Path.Combine(root, "store");
            IReadOnlyList<(string Path, string Text)> files = RestartWorkspace.Generate(workspace, model, contextSize);

            RestartRun first = await Run("first start (empty store)", workspace, files, model, contextSize, store, storeEnabled: true).ConfigureAwait(false);
            long fileBytes = Directory.GetFiles(store, "*" + SessionFileFormat.FileExtension).Sum(f => new FileInfo(f).Length);
            RestartRun without = await Run("restart without the store", workspace, files, model, contextSize, store, storeEnabled: false).ConfigureAwait(false);
            RestartRun with = await Run("restart with the store", workspace, files, model, contextSize, store, storeEnabled: true).ConfigureAwait(false);

            // As VS Code restarts: only the visible editor is opened, the other tabs when clicked.
            RestartRun activeOnly = await Run("restart with the store, only the last file reopened", workspace, [files[^1]], model, contextSize, store, storeEnabled: true).ConfigureAwait(false);

            using (StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false)))
            {
                Write(stdout, contextSize, first, without, with, activeOnly, fileBytes);
            }

            if (json is not null)
            {
                WriteJson(json, without, with, activeOnly, fileBytes);
                Console.Error.WriteLine($"results written to {json}");
            }

            return 0;
        }
        finally
        {
            TryDelete(root);
        }
    }

    private static async Task<RestartRun> Run(string what, string workspace, IReadOnlyList<(string Path, string Text)> files, string model, int contextSize, string store, bool storeEnabled)
    {
        Console.Error.WriteLine($"{what}…");
        RestartRun run = await RestartBenchServer.RunAsync(workspace, files, model, contextSize, store, storeEnabled).ConfigureAwait(false);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {run.TotalMs:F0} ms; kept {run.KeptTokens}, decoded {run.DecodedTokens} tokens"));
        return run;
    }

    private static void Write(TextWriter output, int contextSize, RestartRun first, RestartRun without, RestartRun with, RestartRun activeOnly, long fileBytes)
    {
        IFormatProvider c = CultureInfo.InvariantCulture;
        int tokens = with.KeptTokens + with.DecodedTokens;
        output.WriteLine(string.Create(c, $"restart: {tokens} planned tokens in a {contextSize}-token context; time to the first completion after a start (model load included)"));
        output.WriteLine(string.Create(c, $"  {"run",-36} {"ms",10} {"completion ms",14} {"kept",8} {"decoded",8}"));
        foreach ((string name, RestartRun run) in new[]
        {
            ("first start (fills the store)", first),
            ("without the store", without),
            ("with the store", with),
            ("with the store, last file reopened", activeOnly),
        })
        {
            output.WriteLine(string.Create(c, $"  {name,-36} {run.TotalMs,10:F0} {run.CompletionMs,14:F0} {run.KeptTokens,8} {run.DecodedTokens,8}"));
        }

        // The stored files the editor did not reopen are laid out from disk: the same context, if they did not change.
        output.WriteLine(string.Create(c,
            $"  only the last file reopened: {activeOnly.KeptTokens + activeOnly.DecodedTokens} planned tokens (all files: {tokens}); same completion as with all files open: {(activeOnly.Answer == with.Answer ? "yes" : "no")}"));

        double ratio = with.TotalMs > 0 ? without.TotalMs / with.TotalMs : double.PositiveInfinity;
        output.WriteLine(string.Create(c, $"  session file: {fileBytes} bytes ({fileBytes / (1024.0 * 1024.0):F1} MiB)"));
        output.WriteLine(string.Create(c, $"  with the store: {ratio:F1}x faster (target: at least 10x); same completion as without: {(with.Answer == without.Answer ? "yes" : "no")}"));
    }

    private static void WriteJson(string path, RestartRun without, RestartRun with, RestartRun activeOnly, long fileBytes)
    {
        using FileStream file = File.Create(path);
        using Utf8JsonWriter writer = new(file, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartObject("restart");
        writer.WriteNumber("withStoreMs", Math.Round(with.TotalMs, 1));
        writer.WriteNumber("withoutStoreMs", Math.Round(without.TotalMs, 1));
        writer.WriteNumber("activeOnlyMs", Math.Round(activeOnly.TotalMs, 1));
        writer.WriteNumber("activeOnlyDecodedTokens", activeOnly.DecodedTokens);
        writer.WriteNumber("fileBytes", fileBytes);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not remove {folder}: {e.Message}");
        }
    }
}
