namespace LspLlama.Core.Tokens;

/// <summary>
/// The model's tokenizer as the core sees it. Implemented over llama.cpp's vocabulary in the
/// executable (and by fakes in tests), so that the core never calls native code.
/// </summary>
public interface ITokenizer
{
    /// <summary>Number of tokens in the vocabulary.</summary>
    int VocabularySize { get; }

    /// <summary>The special tokens the vocabulary has (FIM, file separators, end of generation).</summary>
    SpecialTokens Special { get; }

    /// <summary>
    /// Tokenizes plain text without adding BOS. With <paramref name="parseSpecial"/> false, text that
    /// spells a control token is tokenized as ordinary text (what document contents need).
    /// </summary>
    int[] Tokenize(string text, bool parseSpecial = false);

    /// <summary>
    /// The exact bytes a token stands for (UTF-8; a byte-level token may hold part of a character).
    /// Concatenating the bytes of <c>Tokenize(text)</c> gives back the UTF-8 of <c>text</c>.
    /// Control tokens give their text form.
    /// </summary>
    ReadOnlySpan<byte> TokenBytes(int token);

    /// <summary>True for tokens that end generation (EOS, EOT, FIM pad/rep/sep, …).</summary>
    bool IsEndOfGeneration(int token);

    /// <summary>The model's own description (architecture, pre-tokenizer, name), which picks the prompt format.</summary>
    ModelFacts Facts => ModelFacts.Unknown;
}

/// <summary>
/// Special token ids, null when the vocabulary has none. FIM ids follow llama.cpp's detection
/// (metadata keys first, then well-known token texts).
/// </summary>
public sealed record SpecialTokens(
    int? Bos,
    int? Eos,
    int? FimPrefix,
    int? FimSuffix,
    int? FimMiddle,
    int? FimPad,
    int? FimRepo,
    int? FimFileSeparator,
    bool AddBos)
{
    /// <summary>True when prefix, suffix and middle markers all exist.</summary>
    public bool HasFim => FimPrefix is not null && FimSuffix is not null && FimMiddle is not null;

}
