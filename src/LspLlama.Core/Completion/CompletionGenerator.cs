using LspLlama.Core.Tokens;

namespace LspLlama.Core.Completion;

/// <summary>What one generation produced.</summary>
/// <param name="Text">The generated text as the stop rules cut it, before post-processing.</param>
/// <param name="Suggestion">The text to insert at the cursor, or null when there is nothing worth showing.</param>
/// <param name="StopReason">Why generation ended.</param>
/// <param name="Tokens">Tokens sampled (the last may have been discarded, e.g. an end-of-generation token).</param>
/// <param name="AcceptedTokens">Tokens decoded into the model, which the session must roll back.</param>
/// <param name="Elapsed">Time from the start of generation to its end.</param>
public sealed record GenerationResult(
    string Text, string? Suggestion, StopReason StopReason, int Tokens, int AcceptedTokens, TimeSpan Elapsed);

/// <summary>
/// The generation loop: samples tokens, turns their bytes into text, applies the stop rules after
/// every token and the post-processing at the end. The model must be synced to the prompt first.
/// </summary>
public sealed class CompletionGenerator(ITokenizer tokenizer, TimeProvider clock)
{
    private readonly ITokenizer _tokenizer = tokenizer;
    private readonly TimeProvider _clock = clock;

    /// <summary>
    /// Generates a suggestion for <paramref name="request"/>. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellation"/> fires; it is
    /// checked before every token, so cancellation waits for at most one decode.
    /// </summary>
    public GenerationResult Generate(
        CompletionRequest request, GenerationOptions options, ITokenGenerator model, CancellationToken cancellation)
    {
        long start = _clock.GetTimestamp();
        var text = new Utf8TextBuilder();
        int sampled = 0;
        int accepted = 0;
        StopReason reason;
        string kept;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            int token = model.Sample();
            sampled++;
            if (IsEndOfGeneration(token))
            {
                reason = StopReason.EndOfGeneration;
                kept = Finish(text.ToString(), request.Cursor, options, ref reason);
                break;
            }

            int lengthBefore = text.Length;
            text.Append(_tokenizer.TokenBytes(token));
            if (text.Length > lengthBefore && StopRules.Find(text.ToString(), request.Cursor, options.TabSize, ended: false) is { } stop)
            {
                reason = stop.Reason;
                kept = text.ToString()[..stop.Length];
                break;
            }

            if (sampled >= options.MaxTokens || _clock.GetElapsedTime(start) >= options.TimeBudget)
            {
                reason = sampled >= options.MaxTokens ? StopReason.MaxTokens : StopReason.TimeBudget;
                kept = Finish(text.ToString(), request.Cursor, options, ref reason);
                break;
            }

            model.Accept(token);
            accepted++;
        }

        return new GenerationResult(
            kept, SuggestionCleanup.Clean(kept, request.Cursor), reason, sampled, accepted, _clock.GetElapsedTime(start));
    }

    /// <summary>
    /// Applies the rules to text whose generation is over. A limit (tokens, time) cuts wherever it
    /// falls, so a multi-line text loses its unfinished last line; a single line is kept.
    /// </summary>
    private static string Finish(string text, CursorLine cursor, GenerationOptions options, ref StopReason reason)
    {
        if (reason is StopReason.MaxTokens or StopReason.TimeBudget && text.LastIndexOf('\n') is var lastBreak and >= 0)
        {
            text = text[..lastBreak].TrimEnd('\r');
        }

        if (StopRules.Find(text, cursor, options.TabSize, ended: true) is { } stop && stop.Length < text.Length)
        {
            reason = stop.Reason;
            text = text[..stop.Length];
        }

        return text;
    }

    private bool IsEndOfGeneration(int token)
    {
        // FIM markers (and BOS, EOS) are checked by id as well: a vocabulary may not flag them as
        // end of generation, and any of them in the output means the middle is over; their text
        // form must never reach the suggestion.
        SpecialTokens special = _tokenizer.Special;
        return _tokenizer.IsEndOfGeneration(token)
            || token == special.Eos || token == special.Bos || token == special.FimPad || token == special.FimPrefix
            || token == special.FimSuffix || token == special.FimMiddle || token == special.FimFileSeparator
            || token == special.FimRepo;
    }
}
