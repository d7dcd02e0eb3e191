namespace LspLlama.Core.Completion;

/// <summary>
/// The model as the generation loop sees it: the logits for the next position are ready when
/// generation starts (the session has decoded the prompt), and each accepted token is decoded so
/// that the following logits are ready. Implemented over the llama context by the inference adapter,
/// which builds it with the request's <see cref="SamplingOptions"/>; scripted by fakes in tests.
/// </summary>
public interface ITokenGenerator
{
    /// <summary>Chooses the next token from the current logits.</summary>
    int Sample();

    /// <summary>
    /// Decodes <paramref name="token"/> (the one just sampled) so that <see cref="Sample"/> can
    /// choose the one after it. The loop never accepts a token it is going to discard, so the
    /// tokens accepted are exactly the generated tokens the model holds when generation ends.
    /// </summary>
    void Accept(int token);
}
