namespace LspLlama.Core.Completion;

/// <summary>
/// What a completion request keeps of its document: the text next to the cursor as strings (one
/// to two blocks of <see cref="Block"/> chars on each side) and the rest as lengths and hashes.
/// The typed-ahead cache and the catch-up check need to know whether the text changed anywhere,
/// not to read it, and a 20 MB document copied for every keystroke is 40 MB of garbage each time.
/// </summary>
/// <remarks>
/// The windows start and end on multiples of <see cref="Block"/> counted from the document's ends,
/// so the next keystroke's request (a few chars typed at the cursor) has the same hashed parts and
/// compares its windows as text; a cursor that crosses a block boundary just misses the cache once.
/// A file under two blocks on a side keeps that side whole, so ordinary files compare as before.
/// </remarks>
public sealed class TextAroundCursor
{
    internal const int Block = 4096;

    private TextAroundCursor(int prefixLength, int suffixLength, string tail, string head, ulong frontHash, ulong backHash)
    {
        PrefixLength = prefixLength;
        SuffixLength = suffixLength;
        Tail = tail;
        Head = head;
        FrontHash = frontHash;
        BackHash = backHash;
    }

    /// <summary>Chars before the cursor (the cursor's offset).</summary>
    public int PrefixLength { get; }

    /// <summary>Chars after the cursor.</summary>
    public int SuffixLength { get; }

    /// <summary>The end of the text before the cursor: all of it under two blocks.</summary>
    public string Tail { get; }

    /// <summary>The start of the text after the cursor: all of it under two blocks.</summary>
    public string Head { get; }

    /// <summary>Hash of the text before <see cref="Tail"/>.</summary>
    public ulong FrontHash { get; }

    /// <summary>Hash of the text after <see cref="Head"/>.</summary>
    public ulong BackHash { get; }

    private int Front => PrefixLength - Tail.Length;

    private int Back => SuffixLength - Head.Length;

    public static TextAroundCursor Of(ReadOnlySpan<char> prefix, ReadOnlySpan<char> suffix)
    {
        int front = Cut(prefix.Length);
        int back = Cut(suffix.Length);
        return new TextAroundCursor(
            prefix.Length, suffix.Length, prefix[front..].ToString(), suffix[..^back].ToString(),
            TextHash.Of(prefix[..front]), TextHash.Of(suffix[^back..]));
    }

    /// <summary>The same text, cursor at the same place (up to a 64-bit hash of what lies outside the windows).</summary>
    public bool SameAs(TextAroundCursor other) =>
        PrefixLength == other.PrefixLength && SuffixLength == other.SuffixLength
        && FrontHash == other.FrontHash && BackHash == other.BackHash
        && string.Equals(Tail, other.Tail, StringComparison.Ordinal) && string.Equals(Head, other.Head, StringComparison.Ordinal);

    /// <summary>A 64-bit key of the text and the cursor (with the lengths, what the recent-results cache keys by).</summary>
    public ulong Key => TextHash.Combine(TextHash.Combine(FrontHash, TextHash.Of(Tail)), TextHash.Combine(TextHash.Of(Head), BackHash));

    /// <summary>
    /// When this text is <paramref name="earlier"/>'s with chars inserted at the cursor (the prefix
    /// grew by <c>Typed</c>) and right of it (the suffix grew at its start by <c>InsertedAfter</c>),
    /// those two; null when anything else differs, or when the windows cannot tell (the cursor went
    /// past a block boundary since).
    /// </summary>
    public (string Typed, string InsertedAfter)? Extends(TextAroundCursor earlier)
    {
        if (Front != earlier.Front || FrontHash != earlier.FrontHash || Back != earlier.Back || BackHash != earlier.BackHash
            || !Tail.StartsWith(earlier.Tail, StringComparison.Ordinal) || !Head.EndsWith(earlier.Head, StringComparison.Ordinal))
        {
            return null;
        }

        return (Tail[earlier.Tail.Length..], Head[..^earlier.Head.Length]);
    }

    /// <summary>Where the hashed part of a side of <paramref name="length"/> chars ends: a multiple of a block, one to two blocks from the cursor.</summary>
    private static int Cut(int length) => length < 2 * Block ? 0 : (length - Block) / Block * Block;
}
