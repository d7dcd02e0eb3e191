using LLama;
using LLama.Common;
using LLama.Exceptions;
using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;
using LspLlama.Llama;
using LspLlama.ModelFiles;
using LspLlama.Native;
using LspLlama.Server.Settings;

namespace LspLlama.Engine;

/// <summary>
/// A model loaded for serving: weights, one context, its tokenizer and the model session over it.
/// Created and used only on the inference thread; disposing frees the native memory.
/// </summary>
public sealed class LoadedModel : IServedModel, IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly bool _ownsWeights;

    private LoadedModel(string path, string architecture, LLamaWeights weights, LLamaContext context, ICheckpointPolicy policy, bool ownsWeights, Func<ICheckpointSpill?>? spill)
    {
        Path = path;
        Architecture = architecture;
        _weights = weights;
        _context = context;
        _ownsWeights = ownsWeights;
        Tokenizer = new LlamaTokenizer(weights.NativeHandle);
        Backend = new LlamaSessionBackend(context.NativeHandle);
        // Attention memory cuts anywhere: no checkpoints, so no tier for them either.
        bool attention = Backend.MemoryKind == MemoryKind.Attention;
        Session = new ModelSession(Backend, attention ? new NoCheckpointPolicy() : policy, attention ? null : spill?.Invoke());
    }

    /// <summary>
    /// Sliding-window caches are kept window-sized, as llama-server does: a full-size cache would
    /// cost as much memory as full attention, and the session restores checkpoints for edits
    /// that fall out of the window.
    /// </summary>
    public const bool SwaFull = false;

    /// <summary>
    /// Recurrent states the context keeps behind the last token (llama.cpp's <c>n_rs_seq</c>), so a cut
    /// of up to this many tokens needs no checkpoint: a keystroke changes the last one to three
    /// tokens, and the session tries a cut before any restore, so it copies nothing then. llama.cpp
    /// keeps them only for the architectures that support it (qwen35, qwen35moe) and sets 0 for the
    /// others; they cost that many more recurrent rows in the context, not bigger checkpoints
    /// (the saved state of a sequence is the same size, measured).
    /// </summary>
    public const uint RecurrentRollbackTokens = 4;

    public string Path { get; }

    /// <summary>The llama context (the session store reads and writes its full state through it).</summary>
    public LLamaContext Context => _context;

    /// <summary>The weights (the session store fingerprints the model through them).</summary>
    public LLamaWeights Weights => _weights;

    public string Architecture { get; }

    public LlamaTokenizer Tokenizer { get; }

    ITokenizer IServedModel.Tokenizer => Tokenizer;

    public int ContextSize => Backend.ContextSize;

    public int BatchSize => Backend.BatchSize;

    public ITokenGenerator Generator(LogitSampler sampler) => new LlamaTokenGenerator(Backend, Session, sampler);

    public LlamaSessionBackend Backend { get; }

    public ModelSession Session { get; }

    /// <summary>
    /// The llama.cpp parameters for <paramref name="model"/>: the one place they are built, for the
    /// server and the benchmarks alike.
    /// </summary>
    public static ModelParams Parameters(string path, ModelSettings model)
    {
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)model.ContextSize,
            BatchSize = (uint)model.BatchSize,
            UBatchSize = (uint)Math.Min(model.MicroBatchSize, model.BatchSize),
            GpuLayerCount = model.GpuLayers,
            SwaFull = SwaFull,
            RecurrentRollbackSnapshots = RecurrentRollbackTokens,
        };
        if (model.Threads > 0)
        {
            parameters.Threads = model.Threads;
            parameters.BatchThreads = model.Threads;
        }

        return parameters;
    }

    /// <summary>Loads <paramref name="path"/>; a file that cannot be used gives <see cref="InvalidModelFileException"/>.</summary>
    /// <param name="spill">Makes the checkpoints' disk tier, when the model has checkpoints; null: none.</param>
    public static LoadedModel Load(string path, ModelSettings model, CheckpointSection checkpoints, Func<ICheckpointSpill?>? spill = null)
    {
        GgufHeader header = GgufHeader.Read(path);
        ICheckpointPolicy policy = CheckpointPolicies.Create(checkpoints.Policy, checkpoints.Values);
        ModelParams parameters = Parameters(path, model);
        LLamaWeights weights = LoadWeights(parameters);
        try
        {
            return Open(header.Architecture, weights, parameters, policy, ownsWeights: true, spill);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>The weights of <paramref name="parameters"/>' model, loaded once for several <see cref="OnWeights"/> (benchmarks).</summary>
    public static LLamaWeights LoadWeights(ModelParams parameters)
    {
        // Checked before llama.cpp sees the file: some broken files abort inside the native loader.
        _ = GgufHeader.Read(parameters.ModelPath);
        NativeLogRouting.EnsureConfigured();
        long errors = NativeLogRouting.ErrorCount;
        try
        {
            return LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException)
        {
            // llama.cpp says why only in its log (stderr, which an editor may not show): the message carries it.
            string reason = NativeLogRouting.FirstErrorSince(errors) is { } said ? $"llama.cpp could not load it: {said}" : "llama.cpp could not load it";
            throw new InvalidModelFileException(parameters.ModelPath, reason);
        }
    }

    /// <summary>A fresh context on weights loaded by <see cref="LoadWeights"/>; disposing it leaves the weights loaded.</summary>
    public static LoadedModel OnWeights(LLamaWeights weights, ModelParams parameters, ICheckpointPolicy policy, Func<ICheckpointSpill?>? spill = null) =>
        Open(null, weights, parameters, policy, ownsWeights: false, spill);

    private static LoadedModel Open(string? architecture, LLamaWeights weights, ModelParams parameters, ICheckpointPolicy policy, bool ownsWeights, Func<ICheckpointSpill?>? spill)
    {
        LLamaContext context = weights.CreateContext(parameters);
        try
        {
            architecture ??= weights.Metadata.GetValueOrDefault("general.architecture") ?? "unknown";
            return new LoadedModel(parameters.ModelPath, architecture, weights, context, policy, ownsWeights, spill);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        _context.Dispose();
        if (_ownsWeights)
        {
            _weights.Dispose();
        }
    }
}
