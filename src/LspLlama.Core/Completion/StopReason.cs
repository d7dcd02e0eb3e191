namespace LspLlama.Core.Completion;

/// <summary>Why generation ended.</summary>
public enum StopReason
{
    /// <summary>The model produced an end-of-generation token (EOS, EOT, FIM pad or another FIM marker).</summary>
    EndOfGeneration,

    /// <summary>The token limit was reached.</summary>
    MaxTokens,

    /// <summary>The time budget ran out.</summary>
    TimeBudget,

    /// <summary>The cursor is mid-line and the model started a new line.</summary>
    SingleLine,

    /// <summary>A new line's indentation left the cursor's block (or closed the block the completion opened).</summary>
    IndentationReturn,

    /// <summary>The model wrote the same line three times in a row.</summary>
    Repetition,
}
