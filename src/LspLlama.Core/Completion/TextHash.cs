using System.Runtime.InteropServices;

namespace LspLlama.Core.Completion;

/// <summary>
/// A stable 64-bit hash of a string, for keying results by whole-document text without keeping
/// the text (<see cref="string.GetHashCode()"/> has only 32 bits). It reads four chars per step,
/// because it runs on the whole document for every request that misses the typed-ahead cache.
/// Not for adversarial input: it is a cache key, compared together with the text's length.
/// </summary>
public static class TextHash
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    public static ulong Of(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<char, ulong>(text);
        ulong hash = 0xCBF29CE484222325 ^ (ulong)text.Length;
        foreach (ulong word in words)
        {
            hash = Mix(hash ^ word);
        }

        foreach (char c in text[(words.Length * 4)..])
        {
            hash = Mix(hash ^ c);
        }

        return Mix(hash);
    }

    /// <summary>One hash of two, in order.</summary>
    public static ulong Combine(ulong first, ulong second) => Mix(Mix(first) ^ second);

    private static ulong Mix(ulong value)
    {
        value *= Multiplier;
        return value ^ (value >> 29);
    }
}
