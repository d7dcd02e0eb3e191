namespace LspLlama.Core.Bench;

/// <summary>
/// What a trace is made of, counted from its events alone: how the bench describes a trace in its
/// report, and how tests check that a generated trace has a realistic mix.
/// </summary>
public sealed record TraceMix(
    int Opens,
    int Reopens,
    int Closes,
    int Keystrokes,
    int Newlines,
    int Deletions,
    int Pastes,
    int OtherEdits,
    int OtherFileEdits,
    int Jumps,
    int Switches,
    int Completions)
{
    public int Edits => Keystrokes + Newlines + Deletions + Pastes + OtherEdits + OtherFileEdits;

    public static TraceMix Of(EditTrace trace)
    {
        int opens = 0, reopens = 0, closes = 0, keys = 0, newlines = 0, deletions = 0, pastes = 0;
        int otherEdits = 0, otherFileEdits = 0, jumps = 0, switches = 0, completions = 0;
        HashSet<string> seen = new(StringComparer.Ordinal);
        string? active = null;
        foreach (TraceEvent e in trace.Events)
        {
            switch (e)
            {
                case TraceOpen open:
                    if (seen.Add(open.Uri))
                    {
                        opens++;
                    }
                    else
                    {
                        reopens++;
                    }

                    break;
                case TraceClose:
                    closes++;
                    break;
                case TraceFocus focus:
                    if (focus.Uri == active)
                    {
                        jumps++;
                    }
                    else
                    {
                        switches++;
                    }

                    active = focus.Uri;
                    break;
                case TraceCompletion completion:
                    // A recorded trace has no focus events: a request in another file is the switch.
                    completions++;
                    switches += active is not null && completion.Uri != active ? 1 : 0;
                    active = completion.Uri;
                    break;
                case TraceEdit edit when edit.Uri != active:
                    otherFileEdits++;
                    break;
                case TraceEdit edit:
                    switch (Classify(edit))
                    {
                        case EditKind.Keystroke: keys++; break;
                        case EditKind.Newline: newlines++; break;
                        case EditKind.Deletion: deletions++; break;
                        case EditKind.Paste: pastes++; break;
                        default: otherEdits++; break;
                    }

                    break;
            }
        }

        return new TraceMix(opens, reopens, closes, keys, newlines, deletions, pastes, otherEdits, otherFileEdits, jumps, switches, completions);
    }

    /// <summary>Whether an edit is one keystroke: one or two characters typed, no line break.</summary>
    public static bool IsKeystroke(TraceEdit edit) => Classify(edit) == EditKind.Keystroke;

    private enum EditKind
    {
        Keystroke,
        Newline,
        Deletion,
        Paste,
        Other,
    }

    private static EditKind Classify(TraceEdit edit)
    {
        if (edit.Changes.Count != 1 || edit.Changes[0].Range is not TraceRange range)
        {
            return EditKind.Other;
        }

        string text = edit.Changes[0].Text;
        bool empty = range.Start == range.End;
        if (!empty && text.Length == 0)
        {
            return EditKind.Deletion;
        }

        if (!empty)
        {
            return EditKind.Other;
        }

        if (text.Length <= 2 && !text.Contains('\n', StringComparison.Ordinal) && !text.Contains('\r', StringComparison.Ordinal))
        {
            return EditKind.Keystroke;
        }

        // An Enter keystroke: the line break and the indentation the editor adds after it.
        if ((text[0] == '\n' || text.StartsWith("\r\n", StringComparison.Ordinal)) && text.Trim().Length == 0)
        {
            return EditKind.Newline;
        }

        return text.Contains('\n', StringComparison.Ordinal) ? EditKind.Paste : EditKind.Other;
    }
}
