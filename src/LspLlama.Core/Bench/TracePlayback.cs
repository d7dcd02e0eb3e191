namespace LspLlama.Core.Bench;

/// <summary>
/// Plays a trace's events over plain texts and checks each one as a strict server would: a change,
/// close, focus or completion needs an open document, versions only grow, every range and position
/// lies inside the text it applies to. The bench replays only traces that pass, and tests use it to
/// prove that generated traces are valid.
/// </summary>
public sealed class TracePlayback
{
    private readonly Dictionary<string, (TraceText Text, int Version)> _open = new(StringComparer.Ordinal);
    private readonly string _positionEncoding;

    public TracePlayback(string positionEncoding = TraceHeader.Utf16) => _positionEncoding = positionEncoding;

    /// <summary>The document that received the last focus, edit or completion request.</summary>
    public string? ActiveUri { get; private set; }

    public IReadOnlyCollection<string> OpenUris => _open.Keys;

    public string TextOf(string uri) => _open[uri].Text.Text;

    /// <summary>Checks a whole trace; returns the problems found (empty when it is valid).</summary>
    public static IReadOnlyList<string> Validate(EditTrace trace)
    {
        TracePlayback playback = new(trace.Header.PositionEncoding);
        List<string> problems = [];
        for (int i = 0; i < trace.Events.Count; i++)
        {
            if (playback.TryApply(trace.Events[i]) is string problem)
            {
                problems.Add($"event {i + 1} ({trace.Events[i].GetType().Name}): {problem}");
            }
        }

        return problems;
    }

    /// <summary>Applies one event; returns why it is invalid, or null. An invalid event changes nothing.</summary>
    public string? TryApply(TraceEvent e)
    {
        switch (e)
        {
            case TraceOpen open:
                if (_open.ContainsKey(open.Uri))
                {
                    return "the document is already open";
                }

                _open[open.Uri] = (new TraceText(open.Text, _positionEncoding), open.Version);
                return null;

            case TraceEdit edit:
                return ApplyEdit(edit);

            case TraceClose close:
                if (!_open.Remove(close.Uri))
                {
                    return "the document is not open";
                }

                if (ActiveUri == close.Uri)
                {
                    ActiveUri = null;
                }

                return null;

            case TraceFocus focus:
                return CheckPosition(focus.Uri, focus.Position);

            case TraceCompletion completion:
                return CheckPosition(completion.Uri, completion.Position);

            default:
                return $"unknown event {e.GetType().Name}";
        }
    }

    private string? ApplyEdit(TraceEdit edit)
    {
        if (!_open.TryGetValue(edit.Uri, out (TraceText Text, int Version) doc))
        {
            return "the document is not open";
        }

        if (edit.Version <= doc.Version)
        {
            return $"version {edit.Version} does not follow {doc.Version}";
        }

        // Apply to a copy so that an invalid change in the middle of a list leaves nothing half done.
        TraceText copy = new(doc.Text.Text, _positionEncoding);
        foreach (TraceChange change in edit.Changes)
        {
            try
            {
                copy.Apply(change);
            }
            catch (ArgumentException ex)
            {
                return ex.Message;
            }
        }

        _open[edit.Uri] = (copy, edit.Version);
        return null;
    }

    private string? CheckPosition(string uri, TracePosition position)
    {
        if (!_open.TryGetValue(uri, out (TraceText Text, int Version) doc))
        {
            return "the document is not open";
        }

        if (!doc.Text.TryOffset(position, out _, out string? error))
        {
            return error;
        }

        ActiveUri = uri;
        return null;
    }
}
