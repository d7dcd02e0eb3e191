using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;

namespace LspLlama.Engine;

/// <summary>
/// What <see cref="ModelServing"/> needs of a model: its tokenizer, its session, its sizes, and a
/// generator over its logits. <see cref="LoadedModel"/> is the real one; tests serve fakes.
/// </summary>
public interface IServedModel
{
    string Path { get; }

    string Architecture { get; }

    ITokenizer Tokenizer { get; }

    ModelSession Session { get; }

    /// <summary>The context size (n_ctx).</summary>
    int ContextSize { get; }

    /// <summary>Tokens per decode call (a long sync's progress steps are a few of these).</summary>
    int BatchSize { get; }

    /// <summary>The generation loop's view of the synced model, sampling with <paramref name="sampler"/>.</summary>
    ITokenGenerator Generator(LogitSampler sampler);

    /// <summary>
    /// The generation loop's view for one completion of at most <paramref name="options"/>' tokens.
    /// An engine that decodes elsewhere (<see cref="RemoteServedModel"/>) sends the synced tokens
    /// here, in the same request as the generation; a generator that is <see cref="IDisposable"/>
    /// is disposed when the loop ends (a remote one closes its request).
    /// </summary>
    /// <param name="hints">Where the plan expects the next edits (a remote engine may place the server's checkpoints there).</param>
    ITokenGenerator Generator(LogitSampler sampler, GenerationOptions options, SyncHints hints, CancellationToken cancellation) => Generator(sampler);

    /// <summary>An idle prefill synced the session: an engine that decodes elsewhere sends those tokens now.</summary>
    void Prefilled(SyncHints hints, CancellationToken cancellation)
    {
    }

    /// <summary>The figures of <paramref name="sync"/> as the engine reports them: the session's own, or what a remote server decoded.</summary>
    SyncFigures? Reported(SyncFigures? sync) => sync;
}
