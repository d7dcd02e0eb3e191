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
}
