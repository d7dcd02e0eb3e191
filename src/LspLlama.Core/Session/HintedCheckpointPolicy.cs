namespace LspLlama.Core.Session;

/// <summary>
/// Our policy ("lspllama"). Saves where the context plan expects edits to land: the start of the
/// cursor's line and the end of the FIM prefix (typing), the start of each segment (edits in other
/// files), a ladder of doubling distances behind the cursor's line (cursor jumps within the active
/// document), the last prompt token (a repeated request after generation), and evenly spaced fill
/// for long spans; never two closer than the minimum spacing. Over the memory budget it drops the
/// checkpoint whose loss costs the least expected re-decoding, never the hot ones at the cursor.
/// The saves a keystroke makes (at the cursor and at the last prompt token) are skipped while an
/// earlier checkpoint lies fewer tokens before them than a save costs (<see cref="SavePlan.SaveCostTokens"/>):
/// the next keystroke then decodes those few tokens again instead of copying a whole state, which
/// at real sizes (50–230 MiB) and with cheap tokens (a GPU batch) is the better deal.
/// </summary>
public sealed class HintedCheckpointPolicy(CheckpointSettings settings) : ICheckpointPolicy
{
    public string Name => CheckpointPolicies.Lspllama;

    public long MemoryBudgetBytes => settings.MaxMemoryBytes;

    public int MinSpillSpacing => settings.MinSpacingTokens;

    public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions)
    {
        // Position 0 is free (an empty memory), so it counts as a kept checkpoint for spacing.
        int newestKept = kept.Count > 0 ? kept[^1].Position : 0;
        int first = positions.Count;
        SyncHints hints = plan.Hints;

        // Highest value first: a candidate too close to one already accepted is dropped. The
        // cursor's line start and the prefix end are both taken even when close together: typing
        // lands right at the prefix end when the typed character starts a new token, and at the
        // line start's side when it merges with the token before the cursor.
        // With the cursor's line after the middle marker that line's start is close to the suffix
        // marker (a suffix window apart), so it is exempt from the spacing too.
        Consider(plan, newestKept, positions, first, hints.CursorLineStart, exempt: hints.CursorLineAfterMiddle);
        Consider(plan, newestKept, positions, first, CursorToken(hints, plan.To), exempt: true);

        // With the cursor's line after the middle marker, moving to another line changes the
        // sequence from the suffix marker: a checkpoint there re-decodes only the suffix window.
        Consider(plan, newestKept, positions, first, hints.SuffixStart, exempt: true);
        for (int i = 0; i < hints.SegmentStarts.Count; i++)
        {
            Consider(plan, newestKept, positions, first, hints.SegmentStarts[i]);
        }

        // A jump back by d tokens then rolls back at most about 2d, not up to a whole interval.
        int textEnd = hints.CursorLineAfterMiddle ? hints.SuffixStart : hints.CursorLineStart;
        if (textEnd >= 0 && hints.SegmentStarts.Count > 0)
        {
            int activeStart = hints.SegmentStarts[^1];
            for (int step = settings.MinSpacingTokens; step < settings.IntervalTokens && textEnd - step > activeStart; step *= 2)
            {
                Consider(plan, newestKept, positions, first, textEnd - step);
            }
        }

        Consider(plan, newestKept, positions, first, plan.To - 1);
        int interval = settings.IntervalTokens;
        for (int p = (plan.From / interval + 1) * interval; p < plan.To; p += interval)
        {
            Consider(plan, newestKept, positions, first, p);
        }

        if (plan.SaveCostTokens >= 1)
        {
            DropCheapKeystrokeSaves(plan, kept, positions, first, [CursorToken(hints, plan.To), plan.To - 1]);
        }
    }

    /// <summary>
    /// Removes the keystroke saves that lie closer to an earlier checkpoint (kept, or planned in this
    /// sync) than one save costs in tokens: re-decoding that gap is cheaper than the copy.
    /// </summary>
    private static void DropCheapKeystrokeSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions, int first, int[] keystrokeSaves)
    {
        for (int i = positions.Count - 1; i >= first; i--)
        {
            int p = positions[i];
            if (Array.IndexOf(keystrokeSaves, p) < 0)
            {
                continue;
            }

            int previous = 0;
            for (int k = 0; k < kept.Count && kept[k].Position < p; k++)
            {
                previous = kept[k].Position;
            }

            for (int j = first; j < positions.Count; j++)
            {
                if (positions[j] < p && Array.IndexOf(keystrokeSaves, positions[j]) < 0)
                {
                    previous = Math.Max(previous, positions[j]);
                }
            }

            if (p - previous < plan.SaveCostTokens)
            {
                positions.RemoveAt(i);
            }
        }
    }

    public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes)
    {
        long budget = settings.MaxMemoryBytes;
        if (bytes > budget)
        {
            return Admission.Skip;
        }

        long total = bytes;
        for (int i = 0; i < kept.Count; i++)
        {
            total += kept[i].Bytes;
        }

        if (total <= budget)
        {
            return Admission.Save;
        }

        // Over budget: find the cheapest checkpoint to lose among the kept ones and the candidate
        // (index kept.Count). Losing checkpoint c between neighbours p and n makes an edit in
        // [c, n) roll back to p: (c - p) extra tokens for a share (n - c) of the edits.
        int[] hot = HotPositions(plan.Hints, kept, position, plan.To);
        int victim = -1;
        long victimCost = long.MaxValue;
        for (int i = 0; i <= kept.Count; i++)
        {
            int p = i < kept.Count ? kept[i].Position : position;
            if (Array.IndexOf(hot, p) >= 0)
            {
                continue;
            }

            int previous = i == 0 ? 0 : kept[i - 1].Position;
            int next = i + 1 < kept.Count ? kept[i + 1].Position : i + 1 == kept.Count ? position : plan.To;
            long cost = (long)(p - previous) * (next - p);
            if (cost < victimCost)
            {
                victim = i;
                victimCost = cost;
            }
        }

        return victim < 0 || victim == kept.Count ? Admission.Skip : Admission.Evict(victim);
    }

    /// <summary>
    /// Where the cursor is as a checkpoint position: the prefix end, or the last token when the
    /// cursor's line follows the middle marker and the cursor ends the sequence (a keystroke then
    /// changes the last token or appends after it).
    /// </summary>
    private static int CursorToken(SyncHints hints, int to) =>
        hints.CursorLineAfterMiddle && hints.PrefixEnd == to ? to - 1 : hints.PrefixEnd;

    /// <summary>
    /// The hot checkpoints, never evicted: the newest at or before the cursor's line start (the
    /// suffix marker when the line follows the middle marker), and those exactly at the line start,
    /// the suffix marker and the cursor. Older ones near the cursor, left by earlier keystrokes,
    /// are not hot: they are the cheapest to lose. None without a cursor hint.
    /// </summary>
    private static int[] HotPositions(SyncHints hints, IReadOnlyList<Checkpoint> kept, int candidate, int to)
    {
        int anchor = hints.CursorLineAfterMiddle ? Math.Min(hints.SuffixStart, hints.CursorLineStart) : hints.CursorLineStart;
        if (anchor < 0)
        {
            return [];
        }

        int newest = candidate <= anchor ? candidate : -1;
        for (int i = kept.Count - 1; i >= 0; i--)
        {
            if (kept[i].Position <= anchor)
            {
                newest = Math.Max(newest, kept[i].Position);
                break;
            }
        }

        return [newest, hints.CursorLineStart, hints.SuffixStart, CursorToken(hints, to)];
    }

    private void Consider(in SavePlan plan, int newestKept, List<int> positions, int first, int p, bool exempt = false)
    {
        int spacing = exempt ? 1 : settings.MinSpacingTokens;
        if (p <= plan.From || p >= plan.To || p - newestKept < spacing)
        {
            return;
        }

        for (int i = first; i < positions.Count; i++)
        {
            if (Math.Abs(positions[i] - p) < spacing)
            {
                return;
            }
        }

        positions.Add(p);
    }
}
