using System.Text;

namespace LspLlama.Models;

/// <summary>
/// The byte-level alphabet of GPT-2 style BPE: each byte maps to one printable character, so token
/// texts never contain raw spaces or control bytes (space is 'Ġ', newline 'Ċ').
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly string[] s_symbols = BuildSymbols();

    /// <summary>The symbol of each byte value, index 0..255.</summary>
    public static IReadOnlyList<string> Symbols => s_symbols;

    /// <summary>Maps UTF-8 bytes to their symbols.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            builder.Append(s_symbols[b]);
        }

        return builder.ToString();
    }

    private static string[] BuildSymbols()
    {
        // Printable Latin-1 bytes keep their own character; the rest are shifted past 255 in order.
        var symbols = new string[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            symbols[b] = ((char)(printable ? b : next++)).ToString();
        }

        return symbols;
    }
}
