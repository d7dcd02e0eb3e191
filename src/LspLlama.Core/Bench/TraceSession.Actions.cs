namespace LspLlama.Core.Bench;

/// <summary>The editing actions a session mixes between completion requests, each one step of the trace.</summary>
internal sealed partial class TraceSession
{
    private void TypeBurst()
    {
        GeneratorDocument doc = _active;
        if (_random.Chance(0.35))
        {
            // Enter at the end of the line, with the indentation an editor would insert.
            int lineEnd = LineEndOffset(doc, doc.Cursor);
            if (lineEnd != doc.Cursor)
            {
                doc.Cursor = lineEnd;
                Focus(doc);
            }

            string line = doc.Text.Line(doc.Text.PositionOf(doc.Cursor).Line);
            string indent = line[..(line.Length - line.TrimStart().Length)];
            if (line.TrimEnd().EndsWith('{') || line.TrimEnd().EndsWith(':'))
            {
                indent += "    ";
            }

            Keystroke(doc.NewLine + indent);
        }

        // Most bursts are a few words (a pause to read the suggestion ends them); some a whole line.
        string typed = _random.Pick(_corpus);
        if (_random.Chance(0.7))
        {
            typed = typed[..SafeOffset(typed, Math.Min(typed.Length, _random.Next(3, 25)))];
        }

        for (int i = 0; i < typed.Length; i++)
        {
            // A surrogate pair is one keystroke: never split a character.
            int width = char.IsHighSurrogate(typed[i]) && i + 1 < typed.Length ? 2 : 1;
            Keystroke(typed.Substring(i, width));
            i += width - 1;
        }

        EndOfBurst();
    }

    private void Delete()
    {
        GeneratorDocument doc = _active;
        if (_random.Chance(0.7))
        {
            int count = _random.Next(1, 9);
            for (int k = 0; k < count && doc.Cursor > 0; k++)
            {
                int width = ElementWidthBefore(doc.Text.Text, doc.Cursor);
                Edit(doc, doc.Cursor - width, doc.Cursor, "");
                doc.Cursor -= width;
                if (++_keysSinceCompletion >= _completionGap && _completions < _options.Syncs)
                {
                    Complete();
                }
            }

            EndOfBurst();
            return;
        }

        // Delete whole lines around the cursor (a selection, or a delete-line command).
        TracePosition at = doc.Text.PositionOf(doc.Cursor);
        int lines = _random.Next(1, 4);
        int start = doc.Text.Offset(new TracePosition(at.Line, 0));
        int endLine = at.Line + lines;
        int end = endLine < doc.Text.LineCount ? doc.Text.Offset(new TracePosition(endLine, 0)) : doc.Text.Text.Length;
        if (end > start)
        {
            Edit(doc, start, end, "");
            doc.Cursor = start;
            Complete();
        }
    }

    private void Paste()
    {
        // A block of lines copied from some open document, pasted at the start of the cursor's line.
        GeneratorDocument source = _random.Pick(_open);
        int lineCount = source.Text.LineCount;
        int first = _random.Next(lineCount);
        int last = Math.Min(lineCount, first + _random.Next(2, 13));
        string nl = _active.NewLine;
        string block = string.Join(nl, Enumerable.Range(first, last - first).Select(source.Text.Line)) + nl;

        GeneratorDocument doc = _active;
        int lineStart = doc.Text.Offset(new TracePosition(doc.Text.PositionOf(doc.Cursor).Line, 0));
        if (lineStart != doc.Cursor)
        {
            doc.Cursor = lineStart;
            Focus(doc);
        }

        Edit(doc, doc.Cursor, doc.Cursor, block);
        doc.Cursor += block.Length;
        Complete();
    }

    private void Jump()
    {
        GeneratorDocument doc = _active;
        int line = doc.Text.PositionOf(doc.Cursor).Line;

        // Half the jumps stay near (scrolling a screen), half go anywhere in the file.
        int target = _random.Chance(0.5)
            ? Math.Clamp(line + _random.Next(-30, 31), 0, doc.Text.LineCount - 1)
            : _random.Next(doc.Text.LineCount);
        doc.Cursor = RandomOffsetOnLine(doc, target);
        Focus(doc);
    }

    private void Switch()
    {
        List<GeneratorDocument> others = [.. _open.Where(d => d != _active)];
        if (others.Count == 0)
        {
            Jump();
            return;
        }

        _active = PickRecent(others);
        if (_active.Cursor == 0)
        {
            _active.Cursor = RandomOffset(_active);
        }

        Focus(_active);
    }

    private void EditOther()
    {
        List<GeneratorDocument> others = [.. _open.Where(d => d != _active)];
        if (others.Count == 0)
        {
            return;
        }

        // An edit the user makes elsewhere (a rename, a fix in a split view, a formatter): one
        // change somewhere in another open file, which invalidates everything after that file.
        GeneratorDocument doc = PickRecent(others);
        int line = _random.Next(doc.Text.LineCount);
        int start = doc.Text.Offset(new TracePosition(line, 0));
        if (_random.Chance(0.5))
        {
            Edit(doc, start, start, _random.Pick(_corpus) + doc.NewLine);
            return;
        }

        string text = doc.Text.Line(line);
        int from = SafeOffset(text, _random.Next(text.Length + 1));
        int to = SafeOffset(text, Math.Min(text.Length, from + _random.Next(1, 11)));
        string word = _random.Pick(_corpus);
        Edit(doc, start + from, start + to, word[..SafeOffset(word, Math.Min(word.Length, _random.Next(1, 9)))]);
    }

    private void CloseOrReopen()
    {
        if (_closed.Count > 0 && (_random.Chance(0.5) || _open.Count <= 2))
        {
            EndOfBurst();
            (SourceFile file, int version) = _closed[0];
            _closed.RemoveAt(0);
            OpenDoc(file, version + 1);
            return;
        }

        List<GeneratorDocument> others = [.. _open.Where(d => d != _active)];
        if (others.Count < 2)
        {
            return;
        }

        EndOfBurst();
        GeneratorDocument doc = _random.Pick(others);
        _open.Remove(doc);
        _events.Add(new TraceClose(doc.File.Uri));

        // Reopening shows the text as last edited, as if the editor had saved it on close.
        _closed.Add((doc.File with { Text = doc.Text.Text }, doc.Version));
        OpenUntilTarget();
    }
}
