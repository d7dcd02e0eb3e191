using LspLlama.ModelFiles;
using LspLlama.Traces;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Core.Context;
using LspLlama.Models;
using LspLlama.Core.Session;

namespace LspLlama.Cli;

/// <summary>
/// `lspllama bench`: replays an editing session (generated from a workspace and a seed, or
/// recorded by `serve --record-trace`) under each checkpoint policy and reports what each decoded
/// against the ideal. The report goes to stdout (this command never serves LSP), progress to stderr.
/// </summary>
internal sealed class BenchCommand : ICommand
{
    public string Name => "bench";

    public string Summary => "replay an editing session under each checkpoint policy and compare";

    public Task<int> RunAsync(ArgReader args)
    {
        if (args.Flag("--restart"))
        {
            return BenchRestartArgs.RunAsync(args);
        }

        if (args.Flag("--help") || args.Flag("-h"))
        {
            PrintHelp();
            return Task.FromResult(0);
        }

        BenchOptions options = BenchOptionsReader.Read(args);
        args.EnsureAllUsed();

        // The model comes first: a generated trace is sized with its tokenizer. A trace only
        // generated is sized with the model named, so that it is the trace a replay with that
        // model generates; with none named, with an estimate (no model is built for it).
        bool modelNamed = options.ModelPath is not null || options.ModelLike is not null;
        ReplayLlamaFactory? loaded = null;
        try
        {
            loaded = options.TraceOnly && !modelNamed ? null : ReplayTargets.Create(options, ReplayTargets.ContextSizeFor(options), Console.Error);
        }
        catch (Exception ex) when (ex is ModelBuildException or InvalidModelFileException or LLama.Exceptions.RuntimeError or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"lspllama bench: cannot load the model: {ex.Message}");
            return Task.FromResult(1);
        }

        using ReplayLlamaFactory? factory = loaded;
        Func<string, int> countTokens = factory is null ? TraceGenerator.EstimateTokens : factory.CountTokens;
        EditTrace trace = LoadTrace(options, countTokens);
        IReadOnlyList<string> problems = TracePlayback.Validate(trace);
        if (problems.Count > 0)
        {
            Console.Error.WriteLine($"lspllama bench: the trace is not valid ({problems.Count} problem(s)); the first: {problems[0]}");
            return Task.FromResult(1);
        }

        TraceMix mix = TraceMix.Of(trace);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trace: {trace.CompletionCount} syncs, {trace.Events.Count} events ({mix.Keystrokes} keystrokes, {mix.Newlines} new lines, {mix.Deletions} deletions, {mix.Pastes} pastes, {mix.OtherFileEdits} edits in other files, {mix.Jumps} jumps, {mix.Switches} switches, {mix.Closes} closes, {mix.Reopens} re-opens)"));
        if (options.SaveTrace is string save)
        {
            TraceFile.Write(save, trace);
            Console.Error.WriteLine($"trace written to {save}");
        }

        if (factory is null || options.TraceOnly)
        {
            return Task.FromResult(0);
        }

        // Flushed line by line: a replay at a real size runs for hours, and its lines so far are
        // what tells how it goes (and what is left of a run that was stopped).
        using StreamWriter? perSync = options.PerSync is string perSyncPath ? new StreamWriter(perSyncPath) { AutoFlush = true } : null;
        IReplayTargetFactory targets = options.Engine is Uri engine ? new RemoteReplayFactory(factory, engine) : factory;
        BoundedReplay? bounded = options.MaxSyncTokens > 0 ? new BoundedReplay(options.MaxSyncTokens, options.IdleTokens) : null;
        ReplayRunner runner = new(targets, ReportProgress.ForStandardError(), perSync, bounded);
        BenchReport report;
        try
        {
            report = runner.Run(trace, options.Policies, CancellationToken.None);
        }
        catch (LspLlama.Remote.RemoteEngineException ex)
        {
            Console.Error.WriteLine($"lspllama bench: the remote engine failed: {ex.Message}");
            return Task.FromResult(1);
        }

        using (StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false)))
        {
            ReportTable.Write(stdout, report, options.MinTimesFewer);
            if (options.Engine is not null)
            {
                stdout.WriteLine();
                RemoteBenchReport.Write(stdout, report);
            }
        }

        if (options.Json is string json)
        {
            ReportJson.Write(json, report);
            Console.Error.WriteLine($"results written to {json}");
        }

        return Task.FromResult(0);
    }

    private static EditTrace LoadTrace(BenchOptions options, Func<string, int> countTokens)
    {
        if (options.TracePath is string path)
        {
            try
            {
                return TraceFile.Read(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the trace '{path}': {ex.Message}");
            }
            catch (TraceFormatException ex)
            {
                throw new UsageException($"cannot read the trace: {ex.Message}");
            }
        }

        Stopwatch clock = Stopwatch.StartNew();
        (IReadOnlyList<SourceFile> files, _) = TraceWorkspace.Load(
            options.Workspace, options.Generator, countTokens, message => Console.Error.WriteLine(message));
        if (files.Count == 0)
        {
            throw new UsageException($"no source files under '{options.Workspace}'");
        }

        EditTrace trace = new TraceGenerator(files, options.Generator, countTokens).Generate(Path.GetFullPath(options.Workspace));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated a trace from {files.Count} files in {clock.ElapsedMilliseconds} ms (seed {options.Generator.Seed})"));
        return trace;
    }

    private static void PrintHelp() => Console.Error.WriteLine("""
        usage: lspllama bench [options]
          --workspace DIR       generate the trace from this folder (default: the current folder)
          --seed N              seed of the generated trace (default 1)
          --syncs N             completion requests in the generated trace (default 240)
          --context-tokens N    tokens of open files in the generated trace (default 36000)
          --recency-decay X     a switch or an edit elsewhere goes to the k-th most recently
                                used other file with weight X^k (default 0.5; 1 = uniform)
          --quick               a small trace (40 syncs, 8000 tokens) that replays in a few minutes
          --trace FILE          replay this trace (from serve --record-trace or --save-trace)
          --save-trace FILE     write the generated trace to FILE
          --trace-only          generate (and save) the trace, do not replay it; sized with
                                the tokenizer of --model or --model-like when one is given
          --policies LIST       comma-separated, from none,end-only,interval,lspllama (default: all)
          --model FILE          GGUF model (default: a tiny granitehybrid model built on the spot)
          --model-like NAME     a tiny-compute model with a real model's checkpoint size, memory
                                kind and layer pattern (make-model --like; built once, cached):
                                granite-4.0-h-small, granite-4.0-h-tiny, qwen3.6-35b-a3b,
                                qwen3.5-9b, lfm2-2.6b, gemma-3-4b
          --max-memory-mib N    checkpoint memory budget (default: the server's, 1024)
          --max-disk-mib N      the disk tier for checkpoints the budget evicts, lspllama only
                                (default: the server's, 4096; 0 = off)
          --max-sync-tokens N   also replay lspllama bounded, as completion.maxSyncTokens N
                                (lspllama+bounded, beside its exact replay): a request decodes
                                at most N tokens, older context may lag and is refreshed in the
                                pauses between the user's actions (default 0: exact only);
                                --policies lspllama+bounded replays the bounded one alone (a
                                real-size preset on a CPU takes hours per replay)
          --idle-tokens N       what a bounded replay's refresh may decode in each pause (after a
                                request that more keystrokes on its line do not follow) before
                                the next request preempts it (default: no limit)
          --ctx-size N          model context size (default: 1.6 x the trace's context, at least 8192)
          --threads N           CPU threads (default: all cores)
          --generate N          tokens decoded after each completion request, as the server's
                                completion would, before the next sync rolls them back (default 16)
          --suffix-lines N      lines after the cursor in the suffix window (default: the server's)
          --cursor-line WHERE   PSM: the cursor's line after the middle marker (middle, the
                                default) or at the end of the prefix (prefix), as the setting
                                context.cursorLineInMiddle
          --closed-files WHAT   keep (the default) or drop closed files from the context, as
                                the setting context.keepClosedFiles
          --engine URL          compare, on this llama-server (2 slots of at least the context
                                size, started with the same --model): in-process lspllama,
                                the remote engine with LspLlama's layout (slot 0) and with
                                llama.vscode's /infill layout (slot 1); remote-placed is
                                LspLlama's layout with the server's checkpoints placed at
                                segment starts (engine.placeCheckpoints); --policies picks from
                                lspllama,remote-lspllama,remote-placed,remote-infill;
                                scripts/bench-remote.sh starts one and runs it
          --json FILE           also write the results as JSON
          --per-sync FILE       also write one CSV line per policy and sync: context, ideal and
                                decoded tokens, full re-process, time, the editor events since
                                the previous request (where the cost goes), and the checkpoints
                                saved, restored from disk, bytes copied, evicted and spilled;
                                a bounded replay's lines add the tokens its refresh decoded in
                                the pause after the request, and the stale documents and age
                                of the oldest stale change the request saw
        """);
}

/// <summary>Reads and checks the bench's command line.</summary>
internal static class BenchOptionsReader
{
    public static BenchOptions Read(ArgReader args)
    {
        bool quick = args.Flag("--quick");
        TraceGeneratorOptions preset = quick ? TraceGeneratorOptions.Quick : TraceGeneratorOptions.Default;
        TraceGeneratorOptions generator = preset with
        {
            Seed = args.Int("--seed", preset.Seed),
            Syncs = Positive("--syncs", args.Int("--syncs", preset.Syncs)),
            ContextTokens = Positive("--context-tokens", args.Int("--context-tokens", preset.ContextTokens)),
            RecencyDecay = RecencyDecay(args.Double("--recency-decay", preset.RecencyDecay)),
        };

        string workspace = args.Option("--workspace") ?? Directory.GetCurrentDirectory();
        string? tracePath = args.Option("--trace");
        if (tracePath is null && !Directory.Exists(workspace))
        {
            throw new UsageException($"workspace folder '{workspace}' does not exist");
        }

        Uri? engine = Engine(args.Option("--engine"));

        // A bounded replay is ours again with the bound, right after its exact replay, or alone.
        int maxSync = NotNegative("--max-sync-tokens", args.Int("--max-sync-tokens", 0));
        string bounded = ReplayRunner.Bounded(CheckpointPolicies.Lspllama);
        IReadOnlyList<string> known = engine is not null ? RemoteReplayFactory.Targets
            : maxSync > 0 ? [.. ReplayRunner.AllPolicies, bounded]
            : ReplayRunner.AllPolicies;
        string[] policies = args.Option("--policies") is string list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. engine is null ? ReplayRunner.AllPolicies : known];
        foreach (string p in policies)
        {
            if (!known.Contains(p))
            {
                throw new UsageException($"unknown {(engine is null ? "policy" : "target")} '{p}' (known: {string.Join(", ", known)})");
            }
        }

        if (policies.Length == 0)
        {
            throw new UsageException("--policies names no policy");
        }

        if (maxSync is > 0 and < LspLlama.Server.Settings.CompletionSection.MinMaxSyncTokens)
        {
            throw new UsageException($"--max-sync-tokens must be 0 or at least {LspLlama.Server.Settings.CompletionSection.MinMaxSyncTokens}");
        }

        if (maxSync > 0 && engine is not null)
        {
            throw new UsageException("--max-sync-tokens replays the local model only; it does not go with --engine");
        }

        if (maxSync > 0 && policies.Contains(CheckpointPolicies.Lspllama) && !policies.Contains(bounded))
        {
            int at = Array.IndexOf(policies, CheckpointPolicies.Lspllama);
            policies = [.. policies[..(at + 1)], ReplayRunner.Bounded(CheckpointPolicies.Lspllama), .. policies[(at + 1)..]];
        }

        CheckpointSettings defaults = new();
        CheckpointSettings checkpoints = defaults with
        {
            MaxMemoryMiB = NotNegative("--max-memory-mib", args.Int("--max-memory-mib", defaults.MaxMemoryMiB)),
            MaxDiskMiB = NotNegative("--max-disk-mib", args.Int("--max-disk-mib", defaults.MaxDiskMiB)),
        };
        string? like = args.Option("--model-like");
        if (like is not null && ModelPresets.Find(like) is null)
        {
            throw new UsageException($"unknown model '{like}' for --model-like; choose one of: {ModelPresets.Names}");
        }

        if (like is not null && args.Option("--model") is not null)
        {
            throw new UsageException("--model and --model-like exclude each other");
        }

        return new BenchOptions(
            workspace,
            generator,
            quick,
            tracePath,
            args.Option("--save-trace"),
            args.Flag("--trace-only"),
            policies,
            ExistingFile("--model", args.Option("--model")),
            args.Option("--json"),
            OptionalPositive(args, "--ctx-size"),
            OptionalPositive(args, "--threads"),
            Generated(args.Int("--generate", BenchOptions.DefaultGenerate)),
            args.Option("--suffix-lines") is null ? null : NotNegative("--suffix-lines", args.Int("--suffix-lines", 0)),
            CursorLine(args.Option("--cursor-line")),
            args.Option("--per-sync"),
            ClosedFiles(args.Option("--closed-files")),
            like,
            engine)
        {
            Checkpoints = checkpoints,
            MaxSyncTokens = maxSync,
            IdleTokens = args.Option("--idle-tokens") is null ? int.MaxValue : NotNegative("--idle-tokens", args.Int("--idle-tokens", 0)),
        };
    }

    private static string? ExistingFile(string name, string? path) =>
        path is null || File.Exists(path) ? path : throw new UsageException($"{name}: model file '{path}' does not exist");

    private static int? OptionalPositive(ArgReader args, string name) =>
        args.Option(name) is null ? null : Positive(name, args.Int(name, 0));

    /// <summary>The plan leaves the generation reserve free; more generated tokens could overflow the context.</summary>
    private static int Generated(int value)
    {
        int reserve = new ContextSettings().GenerationReserve;
        return value >= 0 && value <= reserve ? value : throw new UsageException($"--generate must be in [0, {reserve}] (the plan's generation reserve)");
    }

    private static bool CursorLine(string? value) => value switch
    {
        null or "middle" => true,
        "prefix" => false,
        _ => throw new UsageException($"--cursor-line takes middle or prefix, not '{value}'"),
    };

    private static Uri? Engine(string? value) => value is null ? null
        : LspLlama.Server.Settings.EngineSettingsSection.ParseUrl(value) ?? throw new UsageException($"--engine: '{value}' is not an http or https URL");

    private static bool ClosedFiles(string? value) => value switch
    {
        null or "keep" => true,
        "drop" => false,
        _ => throw new UsageException($"--closed-files takes keep or drop, not '{value}'"),
    };

    private static double RecencyDecay(double value) =>
        value is > 0 and <= 1 ? value : throw new UsageException("--recency-decay must be in (0, 1]");

    private static int NotNegative(string name, int value) =>
        value >= 0 ? value : throw new UsageException($"{name} must not be negative");

    private static int Positive(string name, int value) =>
        value > 0 ? value : throw new UsageException($"{name} must be positive");
}
