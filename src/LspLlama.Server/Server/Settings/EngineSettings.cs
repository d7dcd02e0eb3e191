using LspLlama.Core.Completion;
using LspLlama.Core.Context;
using LspLlama.Core.Session;

namespace LspLlama.Server.Settings;

/// <summary>The <c>model</c> section: which model, and how its context is created.</summary>
/// <param name="Path">The GGUF file; null to look in the usual local places.</param>
/// <param name="ContextSize">Context size in tokens (n_ctx).</param>
/// <param name="BatchSize">Logical batch (n_batch): tokens per decode call, the cancellation granularity.</param>
/// <param name="MicroBatchSize">Physical batch (n_ubatch).</param>
/// <param name="Threads">CPU threads; 0 lets llama.cpp choose.</param>
/// <param name="GpuLayers">Layers offloaded to the GPU (needs a GPU backend build).</param>
public sealed record ModelSettings(
    string? Path = null,
    int ContextSize = ContextSettings.DefaultContextSize,
    int BatchSize = 512,
    int MicroBatchSize = 512,
    int Threads = 0,
    int GpuLayers = 0);

/// <summary>The <c>checkpoints</c> section; <paramref name="Policy"/> is one of <see cref="CheckpointPolicies.Names"/>.</summary>
public sealed record CheckpointSection(string Policy, CheckpointSettings Values)
{
    public CheckpointSection()
        : this(CheckpointPolicies.Lspllama, new CheckpointSettings())
    {
    }
}

/// <summary>The <c>completion</c> section: generation limits and sampling, and the idle prefill.</summary>
/// <param name="IdlePrefillMs">After this long without edits, the worker prefills the context; 0 turns it off.</param>
/// <param name="ProgressMinTokens">A sync that decodes at least this many tokens reports <c>$/progress</c>.</param>
/// <param name="MaxSyncTokens">
/// A completion decodes at most this many tokens before answering (0: exact, whatever it costs). Past
/// it the context further back than the active document's window may lag, as the model last decoded
/// it, and is brought up to date in the background. 2048 tokens is well under a second on a GPU and
/// a few seconds on a laptop CPU for a small model, and holds an active window of about 150 lines.
/// </param>
public sealed record CompletionSection(GenerationOptions Generation, int IdlePrefillMs = 300, int ProgressMinTokens = 4096, int MaxSyncTokens = 2048)
{
    /// <summary>The smallest bound: the active document's window must fit in it.</summary>
    public const int MinMaxSyncTokens = 256;

    public CompletionSection()
        : this(new GenerationOptions())
    {
    }
}

/// <summary>The <c>context</c> section: the prompt layout (context size comes from <c>model</c>).</summary>
public sealed record ContextSection(ContextSettings Plan)
{
    public ContextSection()
        : this(new ContextSettings())
    {
    }
}
