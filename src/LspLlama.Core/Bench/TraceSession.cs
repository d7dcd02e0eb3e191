namespace LspLlama.Core.Bench;

/// <summary>One run of <see cref="TraceGenerator"/>: the documents as the generator has edited them, and the events so far.</summary>
internal sealed partial class TraceSession
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

    private readonly TraceGeneratorOptions _options;
    private readonly Func<string, int> _countTokens;
    private readonly TraceRandom _random;
    private readonly List<TraceEvent> _events = [];
    private readonly List<GeneratorDocument> _open = [];
    private readonly Queue<SourceFile> _unopened;
    private readonly List<(SourceFile File, int Version)> _closed = [];
    private readonly List<string> _corpus;
    private GeneratorDocument _active = null!;
    private long _useClock;
    private int _completions;
    private int _keysSinceCompletion;
    private int _completionGap;

    public TraceSession(IReadOnlyList<SourceFile> files, TraceGeneratorOptions options, Func<string, int> countTokens)
    {
        _options = options;
        _countTokens = countTokens;
        _random = new TraceRandom(options.Seed);
        List<SourceFile> order = [.. files];
        for (int i = order.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        _unopened = new Queue<SourceFile>(order);
        _corpus = BuildCorpus(order);
        _completionGap = NextGap();
    }

    public List<TraceEvent> Run()
    {
        OpenUntilTarget();
        _active = _open[^1];
        _active.Cursor = RandomOffset(_active);
        Focus(_active);

        // A generous cap: each action yields at most one completion, and no action can loop forever.
        int maxActions = (_options.Syncs * 50) + 100;
        for (int i = 0; i < maxActions && _completions < _options.Syncs; i++)
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

    private int OpenTokens() => _open.Sum(d => _countTokens(d.Text.Text));

    private void OpenUntilTarget()
    {
        int tokens = OpenTokens();

        // Aim a tenth above the target: the active document contributes only its FIM window,
        // not all of its text, to the context.
        long target = _options.ContextTokens + (_options.ContextTokens / 10L);
        while ((tokens < target || _open.Count < 2) && _open.Count < _options.MaxOpenFiles && TryOpenNext(out GeneratorDocument? doc))
        {
            tokens += _countTokens(doc.Text.Text);
        }
    }

    private bool TryOpenNext(out GeneratorDocument doc)
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

    private GeneratorDocument OpenDoc(SourceFile file, int version)
    {
        GeneratorDocument doc = new(file, version) { LastUsed = ++_useClock };
        _open.Add(doc);
        _events.Add(new TraceOpen(file.Uri, file.LanguageId, version, file.Text));
        return doc;
    }

    private TracePosition Pos(GeneratorDocument doc, int offset) => doc.Text.PositionOf(offset);

    private void Focus(GeneratorDocument doc)
    {
        doc.LastUsed = ++_useClock;
        _events.Add(new TraceFocus(doc.File.Uri, Pos(doc, doc.Cursor)));
    }

    /// <summary>Another open file, the k-th most recently used with weight RecencyDecay^k.</summary>
    private GeneratorDocument PickRecent(List<GeneratorDocument> others)
    {
        others.Sort((a, b) => b.LastUsed.CompareTo(a.LastUsed));
        double decay = _options.RecencyDecay;
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
    private void Edit(GeneratorDocument doc, int start, int end, string text)
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
        if (++_keysSinceCompletion >= _completionGap && _completions < _options.Syncs)
        {
            Complete();
        }
    }

    /// <summary>Typing pauses at the end of a burst, and editors ask for a completion then.</summary>
    private void EndOfBurst()
    {
        if (_keysSinceCompletion > 0 && _completions < _options.Syncs)
        {
            Complete();
        }
    }

    private int RandomOffset(GeneratorDocument doc) => RandomOffsetOnLine(doc, _random.Next(doc.Text.LineCount));

    private int RandomOffsetOnLine(GeneratorDocument doc, int line)
    {
        string text = doc.Text.Line(line);
        int start = doc.Text.Offset(new TracePosition(line, 0));
        return start + SafeOffset(text, _random.Next(text.Length + 1));
    }

    private static int LineEndOffset(GeneratorDocument doc, int offset)
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

internal enum GeneratorAction
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
internal sealed class GeneratorDocument(SourceFile file, int version)
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
