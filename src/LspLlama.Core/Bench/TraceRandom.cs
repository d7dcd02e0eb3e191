namespace LspLlama.Core.Bench;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by its seed forever, unlike
/// <see cref="System.Random"/>, whose algorithm may change between .NET versions. Traces must stay
/// reproducible from their seed.
/// </summary>
public sealed class TraceRandom(int seed)
{
    private ulong _state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL);

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A whole number in [min, max).</summary>
    public int Next(int min, int max) =>
        max <= min ? min : min + (int)(NextUInt64() % (ulong)(max - min));

    public int Next(int max) => Next(0, max);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
