using System.Text;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Context.Formats;

/// <summary>Finds special tokens of a vocabulary by their exact text, the way the formats name them.</summary>
public sealed class VocabularyLookup(ITokenizer tokenizer)
{
    public ITokenizer Tokenizer { get; } = tokenizer;

    public SpecialTokens Special => Tokenizer.Special;

    public ModelFacts Facts => Tokenizer.Facts;

    /// <summary>The id of the first text that is one token of exactly that text, or null.</summary>
    public int? Find(params string[] texts)
    {
        foreach (string text in texts)
        {
            int[] ids = Tokenizer.Tokenize(text, parseSpecial: true);
            if (ids.Length == 1 && IsText(ids[0], text))
            {
                return ids[0];
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="token"/> exists and is spelled one of <paramref name="texts"/>.</summary>
    public bool IsText(int? token, params string[] texts)
    {
        if (token is not int id || (uint)id >= (uint)Tokenizer.VocabularySize)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = Tokenizer.TokenBytes(id);
        foreach (string text in texts)
        {
            if (bytes.SequenceEqual(Encoding.UTF8.GetBytes(text)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text of a token, for reasons and displays.</summary>
    public string Text(int token) => Encoding.UTF8.GetString(Tokenizer.TokenBytes(token));

    /// <summary>"'text' (id N)" for a reason.</summary>
    public string Describe(int token) => $"'{Text(token)}' ({token})";

    /// <summary>The text as one token when it is one, or a clear error naming what the format needs.</summary>
    public int Single(string text, string what)
    {
        int[] ids = Tokenizer.Tokenize(text, parseSpecial: true);
        return ids.Length == 1
            ? ids[0]
            : throw new ArgumentException($"token override '{text}' for the {what} is not a single token of this vocabulary ({ids.Length} tokens)");
    }
}
