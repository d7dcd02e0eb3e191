using System.Text;
using System.Text.RegularExpressions;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Tests.Context;

/// <summary>
/// A managed byte-level BPE tokenizer that behaves like the real ones: a GPT-2 or Qwen2 style
/// pre-tokenizer regex, the 256 byte tokens, then greedy lowest-rank merges from a small table
/// learned from code-like text. Multi-byte characters start as byte tokens, and some merges join a
/// space with the first byte of a character, so tokens that split a character really occur.
/// </summary>
internal sealed partial class FakeBpeTokenizer : ITokenizer
{
    private static readonly string[] s_specialTexts =
        ["<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"];

    private static readonly Lazy<(int L, int R)[]> s_merges = new(() => Train(400));

    private readonly Regex _preTokenizer;
    private readonly Dictionary<(int, int), int> _rank = [];
    private readonly List<byte[]> _bytes = [];
    private readonly Dictionary<string, int[]> _cache = [];
    private readonly Dictionary<string, int> _special = [];

    public FakeBpeTokenizer(bool qwen2Style = true, bool fim = true, bool repo = true)
    {
        _preTokenizer = qwen2Style ? Qwen2() : Gpt2();
        for (int b = 0; b < 256; b++)
        {
            _bytes.Add([(byte)b]);
        }

        foreach ((int l, int r) in s_merges.Value)
        {
            _rank[(l, r)] = _bytes.Count;
            _bytes.Add([.. _bytes[l], .. _bytes[r]]);
        }

        for (int i = 0; i < s_specialTexts.Length; i++)
        {
            bool present = i == 0 || (i <= 4 && fim) || (i >= 5 && repo);
            if (present)
            {
                _special[s_specialTexts[i]] = _bytes.Count;
                _bytes.Add(Encoding.UTF8.GetBytes(s_specialTexts[i]));
            }
        }

        int? Id(string s) => _special.TryGetValue(s, out int id) ? id : null;
        Special = new SpecialTokens(
            null, Id("<|endoftext|>"), Id("<|fim_prefix|>"), Id("<|fim_suffix|>"), Id("<|fim_middle|>"),
            Id("<|fim_pad|>"), Id("<|repo_name|>"), Id("<|file_sep|>"), AddBos: false);
    }

    public int VocabularySize => _bytes.Count;

    public SpecialTokens Special { get; }

    public int Calls { get; private set; }

    public int[] Tokenize(string text, bool parseSpecial = false)
    {
        Calls++;
        var result = new List<int>();
        if (!parseSpecial)
        {
            Encode(text, result);
            return [.. result];
        }

        int pos = 0;
        while (pos < text.Length)
        {
            int next = -1;
            string? which = null;
            foreach (string s in _special.Keys)
            {
                int at = text.IndexOf(s, pos, StringComparison.Ordinal);
                if (at >= 0 && (next < 0 || at < next))
                {
                    (next, which) = (at, s);
                }
            }

            if (which is null)
            {
                Encode(text[pos..], result);
                break;
            }

            Encode(text[pos..next], result);
            result.Add(_special[which]);
            pos = next + which.Length;
        }

        return [.. result];
    }

    public ReadOnlySpan<byte> TokenBytes(int token) => _bytes[token];

    public bool IsEndOfGeneration(int token) => token == Special.Eos || token == Special.FimPad || token == Special.FimRepo || token == Special.FimFileSeparator;

    private void Encode(string text, List<int> into)
    {
        foreach (Match m in _preTokenizer.Matches(text))
        {
            if (!_cache.TryGetValue(m.Value, out int[]? ids))
            {
                ids = Merge(Encoding.UTF8.GetBytes(m.Value), _rank);
                _cache[m.Value] = ids;
            }

            into.AddRange(ids);
        }
    }

    private static int[] Merge(byte[] bytes, Dictionary<(int, int), int> rank)
    {
        var symbols = new List<int>(bytes.Length);
        foreach (byte b in bytes)
        {
            symbols.Add(b);
        }

        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (rank.TryGetValue((symbols[i], symbols[i + 1]), out int r) && r < bestRank)
                {
                    (best, bestRank) = (i, r);
                }
            }

            if (best < 0)
            {
                break;
            }

            symbols[best] = bestRank;
            symbols.RemoveAt(best + 1);
        }

        return [.. symbols];
    }

    /// <summary>Learns merges from a fixed sample: deterministic, so every test run sees the same vocabulary.</summary>
    private static (int, int)[] Train(int count)
    {
        var words = new Dictionary<string, int>();
        foreach (Match m in Qwen2().Matches(TrainingText))
        {
            words[m.Value] = words.GetValueOrDefault(m.Value) + 1;
        }

        var seqs = words.Select(w => (Symbols: Encoding.UTF8.GetBytes(w.Key).Select(b => (int)b).ToList(), Freq: w.Value)).ToList();
        var merges = new List<(int, int)>();
        // A few merges that make tokens split characters: a space with the first byte of é, ü, an emoji.
        (int, int)[] forced = [(' ', 0xC3), (' ', 0xF0), (0xF0, 0x9F)];
        for (int step = 0; step < count; step++)
        {
            (int, int) pair;
            if (step < forced.Length)
            {
                pair = forced[step];
            }
            else
            {
                var counts = new Dictionary<(int, int), int>();
                foreach ((List<int> s, int f) in seqs)
                {
                    for (int i = 0; i + 1 < s.Count; i++)
                    {
                        counts[(s[i], s[i + 1])] = counts.GetValueOrDefault((s[i], s[i + 1])) + f;
                    }
                }

                if (counts.Count == 0)
                {
                    break;
                }

                pair = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item1).ThenBy(c => c.Key.Item2).First().Key;
            }

            int id = 256 + merges.Count;
            merges.Add(pair);
            foreach ((List<int> s, _) in seqs)
            {
                for (int i = 0; i + 1 < s.Count; i++)
                {
                    if (s[i] == pair.Item1 && s[i + 1] == pair.Item2)
                    {
                        s[i] = id;
                        s.RemoveAt(i + 1);
                    }
                }
            }
        }

        return [.. merges];
    }

    private const string TrainingText = """"
        namespace Demo.Services;

        public sealed class OrderService : IOrderService
        {
            private readonly ILogger<OrderService> _logger;
            private readonly Dictionary<string, int> _counts = new();

            public async Task<int> ProcessAsync(string name, CancellationToken cancellationToken)
            {
                if (string.IsNullOrEmpty(name))
                {
                    throw new ArgumentException("name must not be empty", nameof(name));
                }

                for (int i = 0; i < 10; i++)
                {
                    _counts[name] = _counts.TryGetValue(name, out int n) ? n + 1 : 1;
                }

                // Café, über, naïve: comments in other languages. 日本語のコメント 😀
                return await Task.FromResult(_counts[name]).ConfigureAwait(false);
            }
        }

        def process(items, limit=10):
            """Return the first items that are not None."""
            result = []
            for item in items:
                if item is not None and len(result) < limit:
                    result.append(item)
            return result

        function render(props) {
          const { title, children } = props;
          return `<div class="card">${title}</div>`;
        }
        """";

    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Qwen2();

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2();
}
