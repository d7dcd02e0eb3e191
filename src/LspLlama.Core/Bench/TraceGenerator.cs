namespace LspLlama.Core.Bench;

/// <summary>
/// Makes a realistic editing session from a workspace's files and a seed: it opens files until the
/// context target is met, then mixes typing bursts at the cursor (one change per keystroke, with a
/// completion request every few keystrokes and at the end of each burst), new lines with
/// indentation, backspacing and line deletions, pastes, cursor jumps, switches of the active file,
/// edits in other open files, and closing and re-opening files. It edits its own copy of each text,
/// so every position it emits is valid for the document as the server will have it.
/// </summary>
public sealed class TraceGenerator
{
    // Relative weights of the actions between completion requests. Typing dominates, as it does in
    // real sessions (and in the traces the design was measured on); the rest exercise rollbacks that
    // land far from the end of the context.
    private static readonly (GeneratorAction Action, int Weight)[] s_weights =
    [
        (GeneratorAction.Type, 45),
        (GeneratorAction.Delete, 12),
        (GeneratorAction.Paste, 5),
        (GeneratorAction.Jump, 14),
        (GeneratorAction.Switch, 10),
        (GeneratorAction.EditOther, 8),
        (GeneratorAction.CloseOrReopen, 6),
    ];

    private readonly IReadOnlyList<SourceFile> _files;
    private readonly TraceGeneratorOptions _options;
    private readonly Func<string, int> _countTokens;

    public TraceGenerator(IReadOnlyList<SourceFile> files, TraceGeneratorOptions options, Func<string, int>? countTokens = null)
    {
        if (files.Count == 0)
        {
            throw new ArgumentException("a trace needs at least one source file", nameof(files));
        }

        // Sorted, so the trace depends on the set of files and the seed, not on directory order.
        _files = [.. files.OrderBy(f => f.Uri, StringComparer.Ordinal)];
        _options = options;
        _countTokens = countTokens ?? EstimateTokens;
    }

    /// <summary>Three characters a token: a fair guess for code with a BPE vocabulary.</summary>
    public static int EstimateTokens(string text) => (text.Length + 2) / 3;

    public EditTrace Generate(string workspace) =>
        new(new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Generated, workspace, TraceHeader.Utf16, _options),
            new Session(this).Run());

    private enum GeneratorAction
    {
        Type,
        Delete,
        Paste,
        Jump,
        Switch,
        EditOther,
        CloseOrReopen,
    }

    /// <summary>One open document in the generator's view: its text, version and remembered cursor.</summary>
    private sealed class Doc(SourceFile file, int version)
    {
        public SourceFile File { get; } = file;

        public TraceText Text { get; } = new(file.Text);

        public int Version { get; set; } = version;

        /// <summary>The cursor as a UTF-16 offset, never inside a surrogate pair or a CRLF.</summary>
        public int Cursor { get; set; }

        public string NewLine => Text.Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

        /// <summary>When the user last opened, focused or edited it: the most-recently-used rank.</summary>
        public long LastUsed { get; set; }
    }

    /// <summary>The state of one generation run.</summary>
    private sealed class Session
    {
        private readonly TraceGenerator _owner;
        private readonly TraceRandom _random;
        private readonly List<TraceEvent> _events = [];
        private readonly List<Doc> _open = [];
        private readonly Queue<SourceFile> _unopened;
        private readonly List<(SourceFile File, int Version)> _closed = [];
        private readonly List<string> _corpus;
        private Doc _active = null!;
        private long _useClock;
        private int _completions;
        private int _keysSinceCompletion;
        private int _completionGap;

        public Session(TraceGenerator owner)
        {
            _owner = owner;
            _random = new TraceRandom(owner._options.Seed);
            List<SourceFile> order = [.. owner._files];
            for (int i = order.Count - 1; i > 0; i--)
            {
                int j = _random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }

            _unopened = new Queue<SourceFile>(order);
            _corpus = BuildCorpus(order);
            _completionGap = NextGap();
        }

        private TraceGeneratorOptions Options => _owner._options;

        public List<TraceEvent> Run()
        {
            OpenUntilTarget();
            _active = _open[^1];
            _active.Cursor = RandomOffset(_active);
            Focus(_active);

            // A generous cap: each action yields at most one completion, and no action can loop forever.
            int maxActions = (Options.Syncs * 50) + 100;
            for (int i = 0; i < maxActions && _completions < Options.Syncs; i++)
            {
                switch (PickAction())
                {
                    case GeneratorAction.Type: TypeBurst(); break;
                    case GeneratorAction.Delete: Delete(); break;
                    case GeneratorAction.Paste: Paste(); break;
                    case GeneratorAction.Jump: Jump(); break;
                    case GeneratorAction.Switch: Switch(); break;
                    case GeneratorAction.EditOther: EditOther(); break;
                    case GeneratorAction.CloseOrReopen: CloseOrReopen(); break;
                }
            }

            return _events;
        }

        private static List<string> BuildCorpus(List<SourceFile> files)
        {
            List<string> lines = [];
            foreach (SourceFile f in files)
            {
                // Split at every kind of line break, so a typed line never carries one.
                foreach (string line in f.Text.Split(['\r', '\n']))
                {
                    string t = line.Trim();
                    if (t.Length is >= 4 and <= 100)
                    {
                        lines.Add(t);
                    }
                }
            }

            return lines.Count > 0 ? lines : ["int x = 0;"];
        }

        private int NextGap() => _random.Next(2, 6);

        private GeneratorAction PickAction()
        {
            int total = s_weights.Sum(w => w.Weight);
            int roll = _random.Next(total);
            foreach ((GeneratorAction action, int weight) in s_weights)
            {
                if (roll < weight)
                {
                    return action;
                }

                roll -= weight;
            }

            return GeneratorAction.Type;
        }

        private int OpenTokens() => _open.Sum(d => _owner._countTokens(d.Text.Text));

        private void OpenUntilTarget()
        {
            int tokens = OpenTokens();

            // Aim a tenth above the target: the active document contributes only its FIM window,
            // not all of its text, to the context.
            long target = Options.ContextTokens + (Options.ContextTokens / 10L);
            while ((tokens < target || _open.Count < 2) && _open.Count < Options.MaxOpenFiles && TryOpenNext(out Doc? doc))
            {
                tokens += _owner._countTokens(doc.Text.Text);
            }
        }

        private bool TryOpenNext(out Doc doc)
        {
            if (_unopened.Count > 0)
            {
                doc = OpenDoc(_unopened.Dequeue(), 1);
                return true;
            }

            if (_closed.Count > 0)
            {
                int i = _random.Next(_closed.Count);
                (SourceFile file, int version) = _closed[i];
                _closed.RemoveAt(i);
                doc = OpenDoc(file, version + 1);
                return true;
            }

            doc = null!;
            return false;
        }

        private Doc OpenDoc(SourceFile file, int version)
        {
            Doc doc = new(file, version) { LastUsed = ++_useClock };
            _open.Add(doc);
            _events.Add(new TraceOpen(file.Uri, file.LanguageId, version, file.Text));
            return doc;
        }

        private TracePosition Pos(Doc doc, int offset) => doc.Text.PositionOf(offset);

        private void Focus(Doc doc)
        {
            doc.LastUsed = ++_useClock;
            _events.Add(new TraceFocus(doc.File.Uri, Pos(doc, doc.Cursor)));
        }

        /// <summary>Another open file, the k-th most recently used with weight RecencyDecay^k.</summary>
        private Doc PickRecent(List<Doc> others)
        {
            others.Sort((a, b) => b.LastUsed.CompareTo(a.LastUsed));
            double decay = Options.RecencyDecay;
            double total = 0, weight = 1;
            for (int k = 0; k < others.Count; k++, weight *= decay)
            {
                total += weight;
            }

            double roll = _random.NextDouble() * total;
            weight = 1;
            for (int k = 0; k < others.Count - 1; k++, weight *= decay)
            {
                if (roll < weight)
                {
                    return others[k];
                }

                roll -= weight;
            }

            return others[^1];
        }

        private void Complete()
        {
            _events.Add(new TraceCompletion(_active.File.Uri, Pos(_active, _active.Cursor)));
            _completions++;
            _keysSinceCompletion = 0;
            _completionGap = NextGap();
        }

        /// <summary>Replaces [start, end) of a document with text and records the didChange.</summary>
        private void Edit(Doc doc, int start, int end, string text)
        {
            TraceRange range = new(Pos(doc, start), Pos(doc, end));
            doc.Text.Replace(start, end, text);
            doc.Version++;
            doc.LastUsed = ++_useClock;
            _events.Add(new TraceEdit(doc.File.Uri, doc.Version, [new TraceChange(range, text)]));

            // Keep the document's cursor on the same character when the edit lands before it.
            if (doc != _active && end <= doc.Cursor)
            {
                doc.Cursor += text.Length - (end - start);
            }
            else if (doc != _active && start < doc.Cursor)
            {
                doc.Cursor = start;
            }
        }

        /// <summary>One keystroke at the cursor of the active document; a completion every few.</summary>
        private void Keystroke(string text)
        {
            Edit(_active, _active.Cursor, _active.Cursor, text);
            _active.Cursor += text.Length;
            if (++_keysSinceCompletion >= _completionGap && _completions < Options.Syncs)
            {
                Complete();
            }
        }

        /// <summary>Typing pauses at the end of a burst, and editors ask for a completion then.</summary>
        private void EndOfBurst()
        {
            if (_keysSinceCompletion > 0 && _completions < Options.Syncs)
            {
                Complete();
            }
        }

        private void TypeBurst()
        {
            Doc doc = _active;
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
            Doc doc = _active;
            if (_random.Chance(0.7))
            {
                int count = _random.Next(1, 9);
                for (int k = 0; k < count && doc.Cursor > 0; k++)
                {
                    int width = ElementWidthBefore(doc.Text.Text, doc.Cursor);
                    Edit(doc, doc.Cursor - width, doc.Cursor, "");
                    doc.Cursor -= width;
                    if (++_keysSinceCompletion >= _completionGap && _completions < Options.Syncs)
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
            Doc source = _random.Pick(_open);
            int lineCount = source.Text.LineCount;
            int first = _random.Next(lineCount);
            int last = Math.Min(lineCount, first + _random.Next(2, 13));
            string nl = _active.NewLine;
            string block = string.Join(nl, Enumerable.Range(first, last - first).Select(source.Text.Line)) + nl;

            Doc doc = _active;
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
            Doc doc = _active;
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
            List<Doc> others = [.. _open.Where(d => d != _active)];
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
            List<Doc> others = [.. _open.Where(d => d != _active)];
            if (others.Count == 0)
            {
                return;
            }

            // An edit the user makes elsewhere (a rename, a fix in a split view, a formatter): one
            // change somewhere in another open file, which invalidates everything after that file.
            Doc doc = PickRecent(others);
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

            List<Doc> others = [.. _open.Where(d => d != _active)];
            if (others.Count < 2)
            {
                return;
            }

            EndOfBurst();
            Doc doc = _random.Pick(others);
            _open.Remove(doc);
            _events.Add(new TraceClose(doc.File.Uri));

            // Reopening shows the text as last edited, as if the editor had saved it on close.
            _closed.Add((doc.File with { Text = doc.Text.Text }, doc.Version));
            OpenUntilTarget();
        }

        private int RandomOffset(Doc doc) => RandomOffsetOnLine(doc, _random.Next(doc.Text.LineCount));

        private int RandomOffsetOnLine(Doc doc, int line)
        {
            string text = doc.Text.Line(line);
            int start = doc.Text.Offset(new TracePosition(line, 0));
            return start + SafeOffset(text, _random.Next(text.Length + 1));
        }

        private static int LineEndOffset(Doc doc, int offset)
        {
            int line = doc.Text.PositionOf(offset).Line;
            return doc.Text.Offset(new TracePosition(line, doc.Text.Line(line).Length));
        }

        /// <summary>Moves an offset off the middle of a surrogate pair.</summary>
        private static int SafeOffset(string text, int offset) =>
            offset > 0 && offset < text.Length && char.IsLowSurrogate(text[offset]) && char.IsHighSurrogate(text[offset - 1])
                ? offset - 1
                : offset;

        /// <summary>How many UTF-16 units one backspace removes: a pair, a CRLF, or one unit.</summary>
        private static int ElementWidthBefore(string text, int offset)
        {
            if (offset >= 2 && ((text[offset - 1] == '\n' && text[offset - 2] == '\r')
                || (char.IsLowSurrogate(text[offset - 1]) && char.IsHighSurrogate(text[offset - 2]))))
            {
                return 2;
            }

            return 1;
        }
    }
}
