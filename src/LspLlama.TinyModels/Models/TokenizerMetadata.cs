using LspLlama.Native;

namespace LspLlama.Models;

/// <summary>Writes the <c>tokenizer.*</c> keys of a model: the generated vocabulary, or one copied from another GGUF.</summary>
public static class TokenizerMetadata
{
    /// <summary>Writes the generated BPE vocabulary; returns the vocabulary size.</summary>
    public static int WriteGenerated(GgufContext g, GeneratedVocabulary vocabulary)
    {
        g.Set("tokenizer.ggml.model", "gpt2");
        g.Set("tokenizer.ggml.pre", "qwen2");
        g.SetStringArray("tokenizer.ggml.tokens", vocabulary.Tokens);
        g.SetInt32Array("tokenizer.ggml.token_type", vocabulary.TokenTypes.ToArray());
        g.SetStringArray("tokenizer.ggml.merges", vocabulary.Merges);

        // BPE defaults BOS/EOS to 11: point both at <|endoftext|>, and never add BOS (code models don't).
        g.SetUInt32("tokenizer.ggml.bos_token_id", GeneratedVocabulary.EndOfText);
        g.SetUInt32("tokenizer.ggml.eos_token_id", GeneratedVocabulary.EndOfText);
        g.SetBool("tokenizer.ggml.add_bos_token", false);
        g.SetUInt32("tokenizer.ggml.fim_pre_token_id", GeneratedVocabulary.FimPrefix);
        g.SetUInt32("tokenizer.ggml.fim_suf_token_id", GeneratedVocabulary.FimSuffix);
        g.SetUInt32("tokenizer.ggml.fim_mid_token_id", GeneratedVocabulary.FimMiddle);
        g.SetUInt32("tokenizer.ggml.fim_pad_token_id", GeneratedVocabulary.FimPad);
        g.SetUInt32("tokenizer.ggml.fim_rep_token_id", GeneratedVocabulary.RepoName);
        g.SetUInt32("tokenizer.ggml.fim_sep_token_id", GeneratedVocabulary.FileSeparator);
        return vocabulary.Tokens.Count;
    }

    /// <summary>
    /// Copies every <c>tokenizer.*</c> key of another GGUF (a vocab-only file works); its hyperparameters
    /// are dropped. Returns the vocabulary size.
    /// </summary>
    public static int CopyFrom(GgufContext g, string path)
    {
        using GgufContext source = GgufContext.ReadMetadata(path);
        long tokens = source.GetArrayLength("tokenizer.ggml.tokens");
        if (tokens <= 0)
        {
            throw new ModelBuildException($"'{path}' has no tokenizer (no tokenizer.ggml.tokens array)");
        }

        if (source.GetString("tokenizer.ggml.model") is null)
        {
            throw new ModelBuildException($"'{path}' has no tokenizer.ggml.model");
        }

        g.CopyAllFrom(source);
        foreach (string key in g.Keys.Where(k => !k.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList())
        {
            g.Remove(key);
        }

        return (int)tokens;
    }
}
