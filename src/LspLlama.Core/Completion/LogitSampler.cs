namespace LspLlama.Core.Completion;

/// <summary>
/// Picks the next token from raw logits: the most likely one when greedy, otherwise temperature,
/// top-k and top-p sampling with a seeded generator, so a fixed seed repeats itself.
/// Buffers are reused across calls: one instance per inference thread.
/// </summary>
public sealed class LogitSampler(SamplingOptions options)
{
    private readonly Random _random = options.Seed is uint seed ? new Random((int)seed) : new Random();
    private int[] _order = [];
    private double[] _weights = [];

    public int Pick(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("no logits to sample from", nameof(logits));
        }

        return options.IsGreedy ? ArgMax(logits) : Sample(logits);
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    private int Sample(ReadOnlySpan<float> logits)
    {
        int n = logits.Length;
        if (_order.Length != n)
        {
            _order = new int[n];
            _weights = new double[n];
        }

        for (int i = 0; i < n; i++)
        {
            _order[i] = i;
        }

        float[] copy = logits.ToArray();
        Array.Sort(copy, _order, Comparer<float>.Create((a, b) => b.CompareTo(a)));
        int keep = options.TopK > 0 ? Math.Min(options.TopK, n) : n;

        // Softmax with temperature over the kept tokens, most likely first.
        double max = copy[0];
        double total = 0;
        for (int i = 0; i < keep; i++)
        {
            _weights[i] = Math.Exp((copy[i] - max) / options.Temperature);
            total += _weights[i];
        }

        // Top-p: the smallest prefix whose probability reaches P.
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++)
        {
            cumulative += _weights[i] / total;
            if (cumulative >= options.TopP)
            {
                nucleus = i + 1;
                break;
            }
        }

        double mass = 0;
        for (int i = 0; i < nucleus; i++)
        {
            mass += _weights[i];
        }

        double target = _random.NextDouble() * mass;
        for (int i = 0; i < nucleus; i++)
        {
            target -= _weights[i];
            if (target <= 0)
            {
                return _order[i];
            }
        }

        return _order[nucleus - 1];
    }
}
