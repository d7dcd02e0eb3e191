namespace LspLlama.Models;

/// <summary>
/// A tiny-compute model whose checkpoints weigh what the named real model's weigh in llama.cpp
/// (<c>llama_state_seq_get_size_ext(…, PARTIAL_ONLY)</c>: the recurrent state of a hybrid, the
/// sliding-window KV of an iSWA cache), with the same memory kind and layer pattern.
/// </summary>
/// <param name="Name">What <c>make-model --like</c> and <c>--model-like</c> take.</param>
/// <param name="RealModel">The real model and the published dimensions its checkpoint follows from.</param>
/// <param name="TargetBytes">The real model's checkpoint, computed from those dimensions as llama.cpp lays its memory out.</param>
/// <param name="HowReached">Which dimensions the tiny model changes to reach that size with little compute.</param>
/// <param name="Options">The tiny model.</param>
/// <param name="MeasureTokens">Tokens to decode before measuring: a recurrent state has its size from the first token, a sliding window once it is full.</param>
/// <param name="MeasureContext">Context size to measure with; the checkpoint does not grow with it past the window.</param>
public sealed record ModelPreset(
    string Name,
    string RealModel,
    long TargetBytes,
    string HowReached,
    ModelBuildOptions Options,
    int MeasureTokens,
    int MeasureContext);
