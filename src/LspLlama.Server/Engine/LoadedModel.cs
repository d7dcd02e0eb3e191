using LLama;
using LLama.Common;
using LLama.Exceptions;
using LspLlama.Core.Session;
using LspLlama.Llama;
using LspLlama.ModelFiles;
using LspLlama.Native;
using LspLlama.Server.Settings;

namespace LspLlama.Engine;

/// <summary>
/// A model loaded for serving: weights, one context, its tokenizer and the model session over it.
/// Created and used only on the inference thread; disposing frees the native memory.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;

    private LoadedModel(string path, string architecture, LLamaWeights weights, LLamaContext context, ICheckpointPolicy policy)
    {
        Path = path;
        Architecture = architecture;
        _weights = weights;
        _context = context;
        Tokenizer = new LlamaTokenizer(weights.NativeHandle);
        Backend = new LlamaSessionBackend(context.NativeHandle);
        Session = new ModelSession(Backend, Backend.MemoryKind == MemoryKind.Attention ? new NoCheckpointPolicy() : policy);
    }

    /// <summary>
    /// Sliding-window caches are kept window-sized, as llama-server does: a full-size cache would
    /// cost as much memory as full attention, and the session restores checkpoints for edits
    /// that fall out of the window.
    /// </summary>
    public const bool SwaFull = false;

    public string Path { get; }

    /// <summary>The llama context (the session store reads and writes its full state through it).</summary>
    public LLamaContext Context => _context;

    /// <summary>The weights (the session store fingerprints the model through them).</summary>
    public LLamaWeights Weights => _weights;

    public string Architecture { get; }

    public LlamaTokenizer Tokenizer { get; }

    public LlamaSessionBackend Backend { get; }

    public ModelSession Session { get; }

    /// <summary>Loads <paramref name="path"/>; a file that cannot be used gives <see cref="InvalidModelFileException"/>.</summary>
    public static LoadedModel Load(string path, ModelSettings model, CheckpointSection checkpoints)
    {
        // Checked before llama.cpp sees the file: some broken files abort inside the native loader.
        GgufHeader header = GgufHeader.Read(path);
        ICheckpointPolicy policy = CheckpointPolicies.Create(checkpoints.Policy, checkpoints.Values);
        NativeLogRouting.EnsureConfigured();
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)model.ContextSize,
            BatchSize = (uint)model.BatchSize,
            UBatchSize = (uint)Math.Min(model.MicroBatchSize, model.BatchSize),
            GpuLayerCount = model.GpuLayers,
            SwaFull = SwaFull,
        };
        if (model.Threads > 0)
        {
            parameters.Threads = model.Threads;
            parameters.BatchThreads = model.Threads;
        }

        LLamaWeights weights;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException)
        {
            throw new InvalidModelFileException(path, "llama.cpp could not load it (see the log for its reason)");
        }

        try
        {
            LLamaContext context = weights.CreateContext(parameters);
            string architecture = header.Architecture
                ?? weights.Metadata.GetValueOrDefault("general.architecture")
                ?? "unknown";
            return new LoadedModel(path, architecture, weights, context, policy);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}
