namespace LspLlama.Core.Session;

/// <summary>
/// Where the context plan expects the next edits to land, as token indices into the planned
/// sequence. The checkpoint policy saves checkpoints at (or just before) these positions, so that
/// an edit there rolls back to a nearby checkpoint instead of re-decoding from far away.
/// </summary>
/// <param name="SegmentStarts">First token of each segment (edits in other files land there).</param>
/// <param name="CursorLineStart">First token of the cursor's line in the active document (typing lands there);
/// when the line follows the middle marker, the first token after that marker.</param>
/// <param name="PrefixEnd">Where the cursor is in the sequence: just after the FIM prefix, or the end of
/// the sequence when the cursor's line follows the middle marker (and in SPM).</param>
/// <param name="SuffixStart">The suffix marker when the cursor's line follows the middle marker: moving
/// to another line changes the sequence from there (-1: no such layout).</param>
public sealed record SyncHints(IReadOnlyList<int> SegmentStarts, int CursorLineStart, int PrefixEnd, int SuffixStart = -1)
{
    /// <summary>The cursor's line follows the middle marker (there is a suffix marker to keep).</summary>
    public bool CursorLineAfterMiddle => SuffixStart >= 0;

    /// <summary>No hints: the policy falls back to evenly spaced checkpoints.</summary>
    public static SyncHints None { get; } = new([], -1, -1);
}
