using System.Globalization;

namespace LspLlama.Core.Documents;

/// <summary>
/// Every open document, mutated strictly in the order the client sent its notifications.
/// Bad input is tolerated the way the LSP reference implementation does it (clamp ranges, order
/// start and end) and reported as warnings; the text always stays valid UTF-16.
/// </summary>
public sealed class DocumentStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TextDocument> _documents = new(StringComparer.Ordinal);
    private IDocumentObserver[] _observers = [];

    /// <summary>Registers an observer for every later mutation; dispose the result to stop.</summary>
    public IDisposable Subscribe(IDocumentObserver observer)
    {
        lock (_gate)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    /// <summary>
    /// Registers an observer and returns the documents open at that moment, atomically: every
    /// mutation after the snapshot reaches the observer, none before it does.
    /// </summary>
    public IDisposable Subscribe(IDocumentObserver observer, out IReadOnlyList<DocumentOpened> openNow)
    {
        lock (_gate)
        {
            openNow = [.. _documents.Values.Select(d =>
            {
                (string text, int version) = d.Snapshot();
                return new DocumentOpened(d.Uri, d.LanguageId, version, text);
            })];
            return Subscribe(observer);
        }
    }

    public TextDocument? Find(string uri)
    {
        lock (_gate)
        {
            return _documents.GetValueOrDefault(uri);
        }
    }

    public IReadOnlyList<TextDocument> All()
    {
        lock (_gate)
        {
            return [.. _documents.Values];
        }
    }

    public DocumentUpdate Open(string uri, string languageId, int version, string text)
    {
        lock (_gate)
        {
            DocumentUpdate update = new(applied: true);
            if (_documents.ContainsKey(uri))
            {
                update.Warn($"{uri} was opened again without a close; its text is replaced");
                CloseLocked(uri, update);
            }

            text = TextSanitizer.ReplaceLoneSurrogates(text);
            _documents[uri] = new TextDocument(_gate, uri, languageId, version, text);
            Notify(update, o => o.OnOpened(new DocumentOpened(uri, languageId, version, text)));
            return update;
        }
    }

    public DocumentUpdate Close(string uri)
    {
        lock (_gate)
        {
            DocumentUpdate update = new(_documents.ContainsKey(uri));
            if (update.Applied)
            {
                CloseLocked(uri, update);
            }

            return update;
        }
    }

    /// <summary>Applies <paramref name="changes"/> in order, each against the text the previous one left.</summary>
    public DocumentUpdate Change(string uri, int version, IReadOnlyList<DocumentChange> changes, PositionEncoding encoding)
    {
        lock (_gate)
        {
            if (!_documents.TryGetValue(uri, out TextDocument? document))
            {
                return new DocumentUpdate(applied: false);
            }

            DocumentUpdate update = new(applied: true);
            if (version <= document.Version)
            {
                // The text must still follow the client, so the change is applied anyway.
                update.Warn(string.Create(CultureInfo.InvariantCulture, $"{uri}: version {version} is not newer than {document.Version}; applied anyway"));
            }

            document.SetVersion(version);
            for (int i = 0; i < changes.Count; i++)
            {
                Apply(document, version, i, changes[i], encoding, update);
            }

            return update;
        }
    }

    private static void Describe(DocumentUpdate update, string uri, int index, string which, TextPosition p, PositionAdjustment a)
    {
        if (a != PositionAdjustment.None)
        {
            update.Warn(string.Create(CultureInfo.InvariantCulture, $"{uri}: change {index}: {which} {p} adjusted ({a})"));
        }
    }

    private void Apply(TextDocument document, int version, int index, DocumentChange change, PositionEncoding encoding, DocumentUpdate update)
    {
        string inserted = TextSanitizer.ReplaceLoneSurrogates(change.Text);
        int start;
        int end;
        if (change.Range is not TextRange range)
        {
            start = 0;
            end = document.Text.Length;
        }
        else
        {
            (start, PositionAdjustment a) = PositionMath.ToOffset(document.Text, document.Lines, range.Start, encoding);
            (end, PositionAdjustment b) = PositionMath.ToOffset(document.Text, document.Lines, range.End, encoding);
            Describe(update, document.Uri, index, "start", range.Start, a);
            Describe(update, document.Uri, index, "end", range.End, b);
            if (start > end)
            {
                update.Warn(string.Create(CultureInfo.InvariantCulture, $"{document.Uri}: change {index}: range {range} starts after it ends; swapped"));
                (start, end) = (end, start);
            }
        }

        document.Replace(start, end - start, inserted);
        DocumentEdit edit = RepairBoundaries(document, new DocumentEdit(document.Uri, version, start, end - start, inserted));
        Notify(update, o => o.OnEdited(edit));
    }

    /// <summary>
    /// An edit that splits a surrogate pair leaves a lone half at its border. It becomes U+FFFD in
    /// place, and the reported edit grows to cover it, so observers see exactly the stored text.
    /// </summary>
    private static DocumentEdit RepairBoundaries(TextDocument document, DocumentEdit edit)
    {
        GapText text = document.Text;
        int left = edit.Start - 1;
        int right = edit.Start + edit.InsertedText.Length;
        bool fixLeft = left >= 0 && char.IsHighSurrogate(text[left]) && (left + 1 >= text.Length || !char.IsLowSurrogate(text[left + 1]));
        if (fixLeft)
        {
            text.SetChar(left, TextSanitizer.Replacement);
        }

        bool fixRight = right < text.Length && char.IsLowSurrogate(text[right]) && (right == 0 || !char.IsHighSurrogate(text[right - 1]));
        if (fixRight)
        {
            text.SetChar(right, TextSanitizer.Replacement);
        }

        if (!fixLeft && !fixRight)
        {
            return edit;
        }

        int start = fixLeft ? left : edit.Start;
        int removed = edit.RemovedLength + (fixLeft ? 1 : 0) + (fixRight ? 1 : 0);
        string inserted = (fixLeft ? "\uFFFD" : string.Empty) + edit.InsertedText + (fixRight ? "\uFFFD" : string.Empty);
        return edit with { Start = start, RemovedLength = removed, InsertedText = inserted };
    }

    private void CloseLocked(string uri, DocumentUpdate update)
    {
        _documents.Remove(uri);
        Notify(update, o => o.OnClosed(new DocumentClosed(uri)));
    }

    private void Notify(DocumentUpdate update, Action<IDocumentObserver> callback)
    {
        foreach (IDocumentObserver observer in _observers)
        {
            try
            {
                callback(observer);
            }
#pragma warning disable CA1031 // An observer's bug must not stop the edit reaching the others.
            catch (Exception e)
#pragma warning restore CA1031
            {
                update.ObserverFailed(e);
            }
        }
    }

    private sealed class Subscription(DocumentStore store, IDocumentObserver observer) : IDisposable
    {
        public void Dispose()
        {
            lock (store._gate)
            {
                store._observers = [.. store._observers.Where(o => !ReferenceEquals(o, observer))];
            }
        }
    }
}
