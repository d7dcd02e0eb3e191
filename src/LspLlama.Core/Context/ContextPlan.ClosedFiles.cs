namespace LspLlama.Core.Context;

/// <summary>
/// The closed files the plan keeps as context (<see cref="ContextSettings.KeepClosedFiles"/>): their
/// share of the budget, how they follow the disk, and how they leave first when the budget is short.
/// </summary>
public sealed partial class ContextPlan
{
    /// <summary>
    /// Closed files never hold more than the budget between builds (a client may open and close many
    /// files before the next request): the oldest go first.
    /// </summary>
    private void TrimClosed()
    {
        long kept = ClosedSize();
        for (int i = 0; i < _order.Count && kept > Budget; i++)
        {
            DocumentState doc = _order[i];
            if (doc.Closed)
            {
                kept -= OtherSize(doc);
                Forget(doc);
                i--;
            }
        }
    }

    /// <summary>Tokens the kept closed files take in the plan.</summary>
    private long ClosedSize() => _closed.Values.Sum(d => (long)OtherSize(d));

    private void Forget(DocumentState closed)
    {
        closed.Closed = false;
        _closed.Remove(closed.Uri);
        _order.Remove(closed);
    }

    /// <summary>The closed files the plan keeps as context.</summary>
    public IReadOnlyCollection<string> KeptClosedUris => _closed.Keys;

    /// <summary>The text the plan holds for a kept closed file.</summary>
    public string GetClosedText(string uri) =>
        _closed.TryGetValue(uri, out DocumentState? doc) ? doc.Tokens.GetText() : throw new ArgumentException($"no closed file kept: {uri}");

    /// <summary>
    /// A kept closed file changed outside the editor (a checkout, a generator, changes discarded on
    /// close): its segment takes the new text in place, as one edit over the span that differs, so
    /// the model never sees a file as it no longer is. A change on disk is not a use: the file keeps
    /// its place. Null text (the file is gone) forgets it. Unknown URIs are ignored.
    /// </summary>
    public void RefreshClosed(string uri, string? text)
    {
        if (!_closed.TryGetValue(uri, out DocumentState? doc))
        {
            return;
        }

        if (text is null)
        {
            Forget(doc);
            return;
        }

        if (TextDiff.DifferingSpan(doc.Tokens.GetText(), text) is { } span)
        {
            doc.Edit(span.Start, span.Removed, span.Inserted);
            TrimClosed();
        }
    }

    /// <summary>Brings a kept document to a new text with one edit over the span that differs.</summary>
    private void ApplyAsOneEdit(DocumentState doc, string text)
    {
        if (TextDiff.DifferingSpan(doc.Tokens.GetText(), text) is { } span)
        {
            Edit(doc.Uri, span.Start, span.Removed, span.Inserted);
        }
    }

    /// <summary>Closed files give way before open ones, the oldest first: an open file is more likely to matter.</summary>
    private long DropClosedDownTo(long total, long lowWater)
    {
        for (int i = 0; i < _order.Count && total > lowWater && _closed.Count > 0; i++)
        {
            DocumentState doc = _order[i];
            if (doc.Closed)
            {
                if (doc.Stamp > _evictedThrough)
                {
                    total -= OtherSize(doc);
                }

                Forget(doc);
                i--;
            }
        }

        return total;
    }

    /// <summary>A closed document the budget left out can never come back as it is: forget it.</summary>
    private void DropEvictedClosed()
    {
        for (int i = _order.Count - 1; i >= 0 && _closed.Count > 0; i--)
        {
            DocumentState doc = _order[i];
            if (doc.Closed && doc.Stamp <= _evictedThrough)
            {
                Forget(doc);
            }
        }
    }
}
