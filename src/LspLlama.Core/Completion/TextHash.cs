namespace LspLlama.Core.Completion;

/// <summary>
/// A stable 64-bit FNV-1a hash of a string's UTF-16 code units. <see cref="string.GetHashCode()"/>
/// is only 32 bits, which is too few to key results by document text without keeping the text.
/// </summary>
internal static class TextHash
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(ReadOnlySpan<char> text)
    {
        ulong hash = OffsetBasis;
        foreach (char c in text)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }

        return hash;
    }
}
