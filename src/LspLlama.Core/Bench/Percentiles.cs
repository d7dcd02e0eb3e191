namespace LspLlama.Core.Bench;

/// <summary>The median, 95th and 99th percentiles and the maximum of a sample.</summary>
public readonly record struct Percentiles(double P50, double P95, double P99 = 0, double Max = 0)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return new Percentiles(Quantile(sorted, 0.50), Quantile(sorted, 0.95), Quantile(sorted, 0.99), sorted.Length == 0 ? 0 : sorted[^1]);
    }

    /// <summary>
    /// The q-quantile of sorted values, interpolating linearly between the two nearest ranks (the
    /// "type 7" estimator of R and NumPy's default), so that small samples do not jump from one
    /// value to the next. Zero for an empty sample.
    /// </summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        double rank = q * (sorted.Count - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }
}
