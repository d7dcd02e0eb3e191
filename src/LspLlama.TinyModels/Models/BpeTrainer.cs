using System.Text;
using System.Text.RegularExpressions;

namespace LspLlama.Models;

/// <summary>
/// Learns byte-level BPE merges from sample text. Text is first split like llama.cpp's <c>qwen2</c>
/// pre-tokenizer, so every learned merge can actually apply when llama.cpp tokenizes: tokens grow to
/// whole identifiers with their leading space (" return"), operator runs ("();") and indentation.
/// Deterministic: ties go to the ordinally smallest pair.
/// </summary>
public static partial class BpeTrainer
{
    /// <summary>Learned merges, in rank order, as pairs of byte-level symbol strings.</summary>
    public static IReadOnlyList<(string Left, string Right)> Learn(string text, int maxMerges)
    {
        // Each distinct pre-token is a word: a list of symbols, weighted by how often it occurs.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in PreTokenizer().Matches(text))
        {
            string word = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(m.Value));
            counts[word] = counts.GetValueOrDefault(word) + 1;
        }

        var words = counts
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (Symbols: SplitSymbols(kv.Key), Count: kv.Value))
            .ToList();

        var merges = new List<(string, string)>();
        var pairCounts = new Dictionary<(string, string), int>();
        while (merges.Count < maxMerges)
        {
            pairCounts.Clear();
            foreach ((List<string> symbols, int count) in words)
            {
                for (int i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + count;
                }
            }

            (string Left, string Right) best = default;
            int bestCount = 1;
            foreach (KeyValuePair<(string, string), int> kv in pairCounts)
            {
                if (kv.Value > bestCount || (kv.Value == bestCount && best.Left is not null && ComparePairs(kv.Key, best) < 0))
                {
                    best = kv.Key;
                    bestCount = kv.Value;
                }
            }

            // A pair seen once teaches nothing about code; stop rather than memorise the sample.
            if (best.Left is null)
            {
                break;
            }

            merges.Add(best);
            foreach ((List<string> symbols, _) in words)
            {
                Apply(symbols, best);
            }
        }

        return merges;
    }

    private static int ComparePairs((string Left, string Right) a, (string Left, string Right) b)
    {
        int c = string.CompareOrdinal(a.Left, b.Left);
        return c != 0 ? c : string.CompareOrdinal(a.Right, b.Right);
    }

    private static List<string> SplitSymbols(string word)
    {
        // Byte-level symbols are single UTF-16 units (all below U+0200).
        var symbols = new List<string>(word.Length);
        foreach (char c in word)
        {
            symbols.Add(c.ToString());
        }

        return symbols;
    }

    private static void Apply(List<string> symbols, (string Left, string Right) merge)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == merge.Left && symbols[i + 1] == merge.Right)
            {
                symbols[i] = merge.Left + merge.Right;
                symbols.RemoveAt(i + 1);
            }
        }
    }

    // llama.cpp's qwen2 pre-tokenizer expression.
    [GeneratedRegex(@"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")]
    private static partial Regex PreTokenizer();
}
