using LLama;
using LLama.Common;
using LspLlama.Core.Completion;
using LspLlama.Core.Bench;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using LspLlama.Llama;
using LspLlama.Engine;
using LspLlama.Server.Settings;
using LspLlama.Store;

namespace LspLlama.Bench;

/// <summary>
/// Loads the model once, with the server's own parameters (<see cref="LoadedModel.Parameters"/>),
/// and gives each policy a fresh context on it, served by the server's serving object, so the
/// policies differ only in where they keep checkpoints.
/// </summary>
public sealed class ReplayLlamaFactory : IReplayTargetFactory, IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly LlamaTokenizer _tokenizer;
    private readonly ContextSettings _context;
    private readonly CheckpointSettings _checkpoints;
    private readonly GenerationOptions _generation;
    private readonly int _maxSyncTokens;

    public ReplayLlamaFactory(string modelPath, bool generated, ReplaySettings settings)
    {
        var model = new ModelSettings(modelPath, settings.ContextSize, settings.BatchSize, settings.MicroBatchSize, settings.Threads, settings.GpuLayers);
        _parameters = LoadedModel.Parameters(modelPath, model);
        _weights = LoadedModel.LoadWeights(_parameters);
        _tokenizer = new LlamaTokenizer(_weights.NativeHandle);
        _context = new ContextSettings
        {
            ContextSize = settings.ContextSize,
            SuffixLines = settings.SuffixLines,
            CursorLineInMiddle = settings.CursorLineInMiddle,
            KeepClosedFiles = settings.KeepClosedFiles,
        };
        _checkpoints = settings.Checkpoints;
        _maxSyncTokens = settings.MaxSyncTokens;

        // A completion's worth, greedy and never stopped by the clock, so every policy generates
        // the same tokens and the next sync has them to roll back, as in the server.
        _generation = new GenerationOptions { MaxTokens = settings.GeneratePerSync, TimeBudget = TimeSpan.FromMinutes(10) };

        // The memory kind comes from a context like the ones the policies get, probed as the server does.
        using LoadedModel probe = LoadedModel.OnWeights(_weights, _parameters, new NoCheckpointPolicy());
        Model = new BenchModelInfo(
            modelPath,
            probe.Architecture,
            probe.Backend.MemoryKind.ToString().ToLowerInvariant(),
            probe.ContextSize,
            probe.BatchSize,
            probe.Backend.MicroBatchSize,
            generated,
            settings.GeneratePerSync,
            DescribeLayout(new ContextPlan(_tokenizer, _context)),
            settings.ModelLike,
            new FileInfo(modelPath).Length,
            _checkpoints.MaxMemoryBytes,
            _checkpoints.MaxDiskBytes);
    }

    public BenchModelInfo Model { get; }

    /// <summary>The plan settings every target gets (a remote replay plans the same way).</summary>
    public ContextSettings Context => _context;

    /// <summary>What each completion generates (a remote replay asks for the same).</summary>
    public GenerationOptions Generation => _generation;

    public int CountTokens(string text) => _tokenizer.Tokenize(text).Length;

    public IReplayTarget Create(string policy, string positionEncoding)
    {
        // A bounded replay is ours with completion.maxSyncTokens set, the plan's active part within it.
        (string checkpoints, int maxSync) = ReplayRunner.IsBounded(policy, out string basePolicy)
            ? (basePolicy, _maxSyncTokens)
            : (policy, 0);

        // A fresh context: no policy inherits another's memory. Only ours gets the disk tier:
        // llama-server, which the others stand for, has none.
        Func<ICheckpointSpill?>? spill = checkpoints == CheckpointPolicies.Lspllama ? DiskTier : null;
        LoadedModel model = LoadedModel.OnWeights(_weights, _parameters, CheckpointPolicies.Create(checkpoints, _checkpoints), spill);
        try
        {
            ContextSettings context = _context with { ContextSize = model.ContextSize, MaxActiveTokens = maxSync };
            return new ReplayServing(model, context, _generation, positionEncoding, owned: model, maxSyncTokens: maxSync);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose() => _weights.Dispose();

    /// <summary>The disk tier as the server makes it, in the temp folder; none when <c>--max-disk-mib 0</c>.</summary>
    private CheckpointDiskTier? DiskTier()
    {
        if (_checkpoints.MaxDiskBytes <= 0)
        {
            return null;
        }

        string parent = Path.Combine(Path.GetTempPath(), "lspllama-bench", "checkpoints");
        return CheckpointDiskTier.Create(parent, _checkpoints.MaxDiskBytes, out string? problem)
            ?? throw new IOException(problem);
    }

    private static string DescribeLayout(ContextPlan plan) =>
        DescribeFim(plan) + (plan.KeepsClosedFiles ? "; closed files stay in context" : "; closed files leave the context");

    private static string DescribeFim(ContextPlan plan) => plan.Layout switch
    {
        FimLayout.Psm when plan.CursorLineInMiddle => $"psm, {plan.SuffixLines}-line suffix window, the cursor's line after the middle marker",
        FimLayout.Psm => $"psm, {plan.SuffixLines}-line suffix window, the cursor's line in the prefix",
        FimLayout.Spm => $"spm, {plan.SuffixLines}-line suffix window",
        _ => "prefix only (no FIM tokens)",
    };
}

/// <summary>Model and context settings of a replay.</summary>
public sealed record ReplaySettings(
    int ContextSize,
    int BatchSize = 512,
    int MicroBatchSize = 512,
    int Threads = 0,
    int GpuLayers = 0,
    int? SuffixLines = null,
    int GeneratePerSync = 0,
    bool CursorLineInMiddle = true,
    bool KeepClosedFiles = true)
{
    public CheckpointSettings Checkpoints { get; init; } = new();

    /// <summary>The preset the model was built from (<c>--model-like</c>), for the report; null for another model.</summary>
    public string? ModelLike { get; init; }

    /// <summary>The bound of a bounded replay (<see cref="ReplayRunner.Bounded"/>); 0: none is made.</summary>
    public int MaxSyncTokens { get; init; }
}
