namespace LspLlama.Tests.Models;

/// <summary>Deterministic token sequences for decode tests (merged tokens, above the control tokens).</summary>
internal static class Samples
{
    public static int[] Tokens(int count) => Enumerable.Range(0, count).Select(i => 263 + (i * 37 % 256)).ToArray();
}
