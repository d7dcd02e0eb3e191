using System.Globalization;
using System.Text;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using LspLlama.Models;

namespace LspLlama.Cli;

/// <summary>
/// <c>lspllama bench-latency</c>: keystroke-to-suggestion latency through the protocol, with our
/// checkpoints and without any, on a tiny hybrid model filling a 16k-token context (issue 8).
/// </summary>
internal sealed class BenchLatencyCommand : ICommand
{
    public string Name => "bench-latency";

    public string Summary => "latency from didChange to the inline completion, checkpoints vs none: [--model F.gguf | --model-like NAME] [--context 16384] [--keystrokes 40] [--workspace-kb 80] [--seed 1] [--long-line-mb N] [--json FILE]";

    public async Task<int> RunAsync(ArgReader args)
    {
        string? model = args.Option("--model");
        string? like = args.Option("--model-like");
        int context = args.Int("--context", ContextSettings.DefaultContextSize);
        int keystrokes = args.Int("--keystrokes", 40);
        int workspaceKb = args.Int("--workspace-kb", 80);
        int seed = args.Int("--seed", 1);
        int longLineMb = args.Int("--long-line-mb", 0);
        int batch = args.Int("--batch", 512);
        int threads = args.Int("--threads", 0);
        string? json = args.Option("--json");
        args.EnsureAllUsed();
        if (keystrokes < 1 || context < 1024 || workspaceKb < 1 || longLineMb is < 0 or > 512)
        {
            throw new UsageException("--keystrokes must be at least 1, --context at least 1024, --workspace-kb at least 1, --long-line-mb 0 to 512");
        }

        string? built = null;
        if (like is not null)
        {
            model = ModelLike(like, model);
        }
        else if (model is null)
        {
            // A tiny granitehybrid with the generated BPE vocabulary (FIM tokens included).
            built = Path.Combine(Path.GetTempPath(), $"lspllama-bench-latency-{Environment.ProcessId}.gguf");
            TinyModelBuilder.Build(new ModelBuildOptions { Arch = ModelArch.GraniteHybrid }, built);
            model = built;
        }

        try
        {
            LatencyScript script = longLineMb > 0
                ? LongLineScript(Path.GetFullPath(model), context, batch, threads, longLineMb * 1_000_000, keystrokes)
                : Script(Path.GetFullPath(model), context, batch, threads, seed, workspaceKb * 1024, keystrokes);
            List<LatencyRun> runs = [];
            foreach (string policy in new[] { CheckpointPolicies.Lspllama, CheckpointPolicies.None })
            {
                Console.Error.Write($"policy {policy}: ");
                runs.Add(await LatencyBench.RunAsync(script, policy, Console.Error).ConfigureAwait(false));
            }

            var report = new LatencyReport(model, context, keystrokes, runs);
            using (StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false)))
            {
                report.Print(stdout);
            }

            if (json is not null)
            {
                report.WriteJson(json);
                Console.Error.WriteLine($"results written to {json}");
            }

            return 0;
        }
        finally
        {
            if (built is not null)
            {
                File.Delete(built);
            }
        }
    }

    /// <summary>
    /// A synthetic C# workspace of about <paramref name="bytes"/> characters (the plan keeps what
    /// fits the context), and typing of ordinary statements in the middle of the last file.
    /// </summary>
    internal static LatencyScript Script(string model, int context, int batch, int threads, int seed, int bytes, int keystrokes)
    {
        IReadOnlyList<(string RelativePath, string Text)> files = SyntheticWorkspace.Generate(seed, bytes);
        (string Uri, string Text)[] opened = [.. files.Select(f => ("file:///workspace/" + f.RelativePath, f.Text))];
        string[] lines = opened[^1].Text.Split('\n');
        int cursorLine = lines.Length / 2;
        while (cursorLine < lines.Length - 1 && !lines[cursorLine].TrimEnd().EndsWith(';'))
        {
            cursorLine++;
        }

        const string statement = "\n        count = count * 3 + name.Length - 7;";
        StringBuilder typed = new();
        while (typed.Length < keystrokes)
        {
            typed.Append(statement);
        }

        return new LatencyScript(model, context, batch, threads, MaxTokens: 8, opened, cursorLine, typed.ToString(0, keystrokes));
    }

    /// <summary>
    /// One minified file of <paramref name="chars"/> chars on a single line (a JavaScript bundle),
    /// typing in its middle: what the first open, a keystroke and the memory cost on a file the
    /// plan can hold only a slice of.
    /// </summary>
    internal static LatencyScript LongLineScript(string model, int context, int batch, int threads, int chars, int keystrokes)
    {
        const string piece = "var q=function(e,t){return e+t};if(n&&n.x)return n.y;";
        var text = new StringBuilder(chars + piece.Length);
        while (text.Length < chars)
        {
            text.Append(piece);
        }

        const string statement = "if(a&&b)return c;";
        StringBuilder typed = new();
        while (typed.Length < keystrokes)
        {
            typed.Append(statement);
        }

        int middle = text.Length / 2 / piece.Length * piece.Length;
        return new LatencyScript(
            model, context, batch, threads, MaxTokens: 8, [("file:///workspace/bundle.min.js", text.ToString())], CursorLine: 0,
            typed.ToString(0, keystrokes), CursorCharacter: middle);
    }

    /// <summary>The preset's model for <c>--model-like</c> (built once, cached); a usage error for a bad name or with <c>--model</c>.</summary>
    internal static string ModelLike(string like, string? model)
    {
        if (model is not null)
        {
            throw new UsageException("--model and --model-like exclude each other");
        }

        if (ModelPresets.Find(like) is null)
        {
            throw new UsageException($"unknown model '{like}' for --model-like; choose one of: {ModelPresets.Names}");
        }

        return BenchModels.Resolve(null, like, ReplayTargets.TinyModel, Console.Error);
    }

}
