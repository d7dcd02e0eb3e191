using System.Diagnostics;
using System.Globalization;
using System.Text;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Models;

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
            return RestartBench.RunAsync(args);
        }

        if (args.Flag("--help") || args.Flag("-h"))
        {
            PrintHelp();
            return Task.FromResult(0);
        }

        BenchOptions options = BenchOptions.Read(args);
        args.EnsureAllUsed();

        // The model comes first: a generated trace is sized with its tokenizer.
        ReplayLlamaFactory? loaded = null;
        try
        {
            loaded = options.TraceOnly ? null : ReplayTargets.Create(options, ReplayTargets.ContextSizeFor(options), Console.Error);
        }
        catch (Exception ex) when (ex is ModelBuildException or LLama.Exceptions.RuntimeError or IOException or UnauthorizedAccessException)
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

        if (factory is null)
        {
            return Task.FromResult(0);
        }

        ReplayRunner runner = new(factory, ReportProgress.ForStandardError());
        BenchReport report = runner.Run(trace, options.Policies, CancellationToken.None);

        using (StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false)))
        {
            ReportTable.Write(stdout, report, options.MinTimesFewer);
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
          --quick               a small trace (40 syncs, 8000 tokens) that replays in a few minutes
          --trace FILE          replay this trace (from serve --record-trace or --save-trace)
          --save-trace FILE     write the generated trace to FILE
          --trace-only          generate (and save) the trace, do not replay it
          --policies LIST       comma-separated, from none,end-only,interval,lspllama (default: all)
          --model FILE          GGUF model (default: a tiny granitehybrid model built on the spot)
          --ctx-size N          model context size (default: 1.6 x the trace's context, at least 8192)
          --threads N           CPU threads (default: all cores)
          --json FILE           also write the results as JSON
        """);
}

/// <summary>The bench's command line, read and checked.</summary>
internal sealed record BenchOptions(
    string Workspace,
    TraceGeneratorOptions Generator,
    bool Quick,
    string? TracePath,
    string? SaveTrace,
    bool TraceOnly,
    IReadOnlyList<string> Policies,
    string? ModelPath,
    string? Json,
    int? ContextSize,
    int? Threads)
{
    /// <summary>The acceptance target for "times fewer tokens than none and end-only".</summary>
    public double MinTimesFewer => Quick ? 3 : 5;

    public static BenchOptions Read(ArgReader args)
    {
        bool quick = args.Flag("--quick");
        TraceGeneratorOptions preset = quick ? TraceGeneratorOptions.Quick : TraceGeneratorOptions.Default;
        TraceGeneratorOptions generator = preset with
        {
            Seed = args.Int("--seed", preset.Seed),
            Syncs = Positive("--syncs", args.Int("--syncs", preset.Syncs)),
            ContextTokens = Positive("--context-tokens", args.Int("--context-tokens", preset.ContextTokens)),
        };

        string workspace = args.Option("--workspace") ?? Directory.GetCurrentDirectory();
        string? tracePath = args.Option("--trace");
        if (tracePath is null && !Directory.Exists(workspace))
        {
            throw new UsageException($"workspace folder '{workspace}' does not exist");
        }

        string[] policies = args.Option("--policies") is string list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. ReplayRunner.AllPolicies];
        foreach (string p in policies)
        {
            if (!ReplayRunner.AllPolicies.Contains(p))
            {
                throw new UsageException($"unknown policy '{p}' (known: {string.Join(", ", ReplayRunner.AllPolicies)})");
            }
        }

        if (policies.Length == 0)
        {
            throw new UsageException("--policies names no policy");
        }

        return new BenchOptions(
            workspace,
            generator,
            quick,
            tracePath,
            args.Option("--save-trace"),
            args.Flag("--trace-only"),
            policies,
            args.Option("--model"),
            args.Option("--json"),
            OptionalPositive(args, "--ctx-size"),
            OptionalPositive(args, "--threads"));
    }

    private static int? OptionalPositive(ArgReader args, string name) =>
        args.Option(name) is null ? null : Positive(name, args.Int(name, 0));

    private static int Positive(string name, int value) =>
        value > 0 ? value : throw new UsageException($"{name} must be positive");
}
