using LLama;
using LLama.Common;
using LspLlama.Core.Bench;
using LspLlama.Core.Context;
using LspLlama.Core.Session;
using LspLlama.Llama;
using LspLlama.Native;

namespace LspLlama.Bench;

/// <summary>
/// Loads the model once and gives each policy a fresh context on it, with the same settings, so
/// the policies differ only in where they keep checkpoints.
/// </summary>
public sealed class ReplayLlamaFactory : IReplayTargetFactory, IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly LlamaTokenizer _tokenizer;
    private readonly ContextSettings _context;
    private readonly CheckpointSettings _checkpoints;
    private readonly string _workspace;
    private readonly int _generate;

    public ReplayLlamaFactory(string modelPath, bool generated, ReplaySettings settings, string workspace)
    {
        NativeLogRouting.EnsureConfigured();
        _parameters = new ModelParams(modelPath)
        {
            ContextSize = (uint)settings.ContextSize,
            BatchSize = (uint)settings.BatchSize,
            UBatchSize = (uint)settings.MicroBatchSize,
            GpuLayerCount = settings.GpuLayers,
            Threads = settings.Threads,
            BatchThreads = settings.Threads,
        };
        _weights = LLamaWeights.LoadFromFile(_parameters);
        _tokenizer = new LlamaTokenizer(_weights.NativeHandle);
        _context = new ContextSettings
        {
            ContextSize = settings.ContextSize,
            SuffixLines = settings.SuffixLines,
            CursorLineInMiddle = settings.CursorLineInMiddle,
            KeepClosedFiles = settings.KeepClosedFiles,
        };
        _checkpoints = settings.Checkpoints;
        _workspace = workspace;
        _generate = settings.GeneratePerSync;

        // The memory kind comes from a context like the ones the policies get, probed as the server does.
        using (LLamaContext context = _weights.CreateContext(_parameters))
        {
            LlamaSessionBackend probe = new(context.NativeHandle);
            Model = new BenchModelInfo(
                modelPath,
                _weights.Metadata.TryGetValue("general.architecture", out string? arch) ? arch : "unknown",
                probe.MemoryKind.ToString().ToLowerInvariant(),
                probe.ContextSize,
                probe.BatchSize,
                probe.MicroBatchSize,
                generated,
                settings.GeneratePerSync,
                DescribeLayout(new ContextPlan(_tokenizer, _context)));
        }
    }

    public BenchModelInfo Model { get; }

    public int CountTokens(string text) => _tokenizer.Tokenize(text).Length;

    public IReplayTarget Create(string policy, string positionEncoding)
    {
        // The server's own backend over a fresh context: no policy inherits another's memory.
        LLamaContext context = _weights.CreateContext(_parameters);
        try
        {
            LlamaSessionBackend backend = new(context.NativeHandle);
            return new ReplayServerPath(
                _tokenizer, _context, backend, CheckpointPolicies.Create(policy, _checkpoints), _workspace, positionEncoding, _generate, owned: context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public void Dispose() => _weights.Dispose();

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
}
