using LspLlama.Core.Tokens;

namespace LspLlama.Core.Completion;

/// <summary>The answer to one completion request.</summary>
/// <param name="Suggestion">Text to insert at the cursor, or null for no item.</param>
/// <param name="FromCache">How the cache answered, or null when the model did.</param>
/// <param name="Generation">What the model did (tokens, time, stop reason), or null when the cache answered.</param>
public sealed record CompletionAnswer(string? Suggestion, CacheHitKind? FromCache, GenerationResult? Generation);

/// <summary>
/// Cache first, then the model: what the inference worker runs for a completion request.
/// <paramref name="cache"/> belongs to the worker thread, like the model.
/// </summary>
public sealed class CompletionPipeline(ITokenizer tokenizer, TimeProvider clock, SuggestionCache cache)
{
    private readonly CompletionGenerator _generator = new(tokenizer, clock);
    private readonly SuggestionCache _cache = cache;

    /// <summary>
    /// Answers <paramref name="request"/> from the cache, or else calls <paramref name="syncModel"/>
    /// (which brings the model to the request's prompt and returns it ready to sample) and generates.
    /// A cancelled request throws <see cref="OperationCanceledException"/> and leaves the cache as it was.
    /// </summary>
    public CompletionAnswer Complete(
        CompletionRequest request, GenerationOptions options, Func<CancellationToken, ITokenGenerator> syncModel, CancellationToken cancellation)
    {
        if (_cache.TryGet(request) is { } hit)
        {
            return new CompletionAnswer(hit.Suggestion, hit.Kind, null);
        }

        ITokenGenerator model = syncModel(cancellation);
        GenerationResult result = _generator.Generate(request, options, model, cancellation);
        _cache.Remember(request, result.Suggestion);
        return new CompletionAnswer(result.Suggestion, null, result);
    }
}
