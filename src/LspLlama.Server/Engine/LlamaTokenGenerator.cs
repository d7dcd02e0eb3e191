using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Llama;

namespace LspLlama.Engine;

/// <summary>
/// The generation loop's view of the model: samples from the logits the session left, and decodes
/// each accepted token through the session, so the generated tokens are part of what it holds and
/// the next sync rolls them back like any other change.
/// </summary>
public sealed class LlamaTokenGenerator(LlamaSessionBackend backend, ModelSession session, LogitSampler sampler) : ITokenGenerator
{
    public int Sample() => sampler.Pick(backend.Logits());

    public void Accept(int token) => session.AppendGenerated(token);
}
