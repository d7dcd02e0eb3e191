using LspLlama.Core.Tokens;

namespace LspLlama.Core.Completion;

/// <summary>The answer to one completion request.</summary>
/// <param name="Suggestion">Text to insert at the cursor, or null for no item.</param>
/// <param name="FromCache">How the cache answered, or null when the model did.</param>
/// <param name="Generation">What the model did (tokens, time, stop reason), or null when the cache answered.</param>
public sealed record CompletionAnswer(string? Suggestion, CacheHitKind? FromCache, GenerationResult? Generation);

/// <summary>
/// Cache first, then the model: the two steps of a completion, in the order the serving object
/// takes them. Between them the caller brings the model to the request's prompt; the pipeline
/// never syncs it. <paramref name="cache"/> belongs to the inference thread, like the model.
/// </summary>
public sealed class CompletionPipeline(ITokenizer tokenizer, TimeProvider clock, SuggestionCache cache)
{
    private readonly CompletionGenerator _generator = new(tokenizer, clock);

    /// <summary>The answer the typed-ahead cache has for <paramref name="request"/>, or null: then the model must answer.</summary>
    public CompletionAnswer? TryCached(CompletionRequest request) =>
        cache.TryGet(request) is { } hit ? new CompletionAnswer(hit.Suggestion, hit.Kind, null) : null;

    /// <summary>
    /// Generates from <paramref name="model"/>, already synced to the request's prompt, and
    /// remembers the suggestion. A cancelled request throws <see cref="OperationCanceledException"/>
    /// and leaves the cache as it was.
    /// </summary>
    public CompletionAnswer Generate(CompletionRequest request, GenerationOptions options, ITokenGenerator model, CancellationToken cancellation)
    {
        GenerationResult result = _generator.Generate(request, options, model, cancellation);
        cache.Remember(request, result.Suggestion);
        return new CompletionAnswer(result.Suggestion, null, result);
    }
}
