using LspLlama.Core.Session;

namespace LspLlama.Core.Tests.Session;

/// <summary>
/// A random editing session over several segments, as the context plan would present it: the
/// last segment is the active document with a cursor. Each step edits and yields the next
/// desired sequence with its hints.
/// </summary>
internal sealed class EditScript
{
    private const int LineLength = 10;
    private readonly Random _random;
    private readonly List<List<int>> _segments;
    private int _cursor;

    public EditScript(int seed, int segments, int segmentLength)
    {
        _random = new Random(seed);
        _segments = [.. Enumerable.Range(0, segments).Select(_ => Enumerable.Range(0, segmentLength).Select(_ => Token()).ToList())];
        _cursor = segmentLength / 2;
    }

    private List<int> Active => _segments[^1];

    /// <summary>Applies one random edit; most land at the cursor, as typing does.</summary>
    public string Step()
    {
        int roll = _random.Next(100);
        if (roll < 40)
        {
            Active.Insert(_cursor++, Token());
            return "type";
        }

        if (roll < 50 && _cursor > 0)
        {
            Active.RemoveAt(--_cursor);
            return "backspace";
        }

        if (roll < 55)
        {
            _cursor = _random.Next(Active.Count + 1);
            return "move";
        }

        if (roll < 60)
        {
            int n = _random.Next(1, 6);
            for (int i = 0; i < n; i++)
            {
                Active.Add(Token());
            }

            return "append";
        }

        // Anywhere, in any segment: replace, insert or delete a short range.
        int s = _random.Next(_segments.Count);
        List<int> segment = _segments[s];
        int at = _random.Next(segment.Count);
        int kind = _random.Next(3);
        if (kind == 0)
        {
            segment[at] = Token();
        }
        else if (kind == 1)
        {
            segment.InsertRange(at, Enumerable.Range(0, _random.Next(1, 8)).Select(_ => Token()));
        }
        else if (segment.Count > 8)
        {
            segment.RemoveRange(at, Math.Min(segment.Count - at, _random.Next(1, 6)));
        }

        if (s == _segments.Count - 1 && _cursor > Active.Count)
        {
            _cursor = Active.Count;
        }

        return "edit";
    }

    public int[] Desired() => [.. _segments.SelectMany(s => s)];

    public SyncHints Hints()
    {
        var starts = new List<int>();
        int offset = 0;
        foreach (List<int> s in _segments)
        {
            starts.Add(offset);
            offset += s.Count;
        }

        int activeStart = starts[^1];
        return new SyncHints(starts, activeStart + (_cursor / LineLength * LineLength), activeStart + _cursor);
    }

    public int Next(int max) => _random.Next(max);

    private int Token() => _random.Next(0, 50);
}
