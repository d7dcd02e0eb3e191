using LspLlama.Core.Context.Formats;
using LspLlama.Core.Session;

namespace LspLlama.Core.Context;

/// <summary>
/// Building the sequence: eviction down to the low-water mark, the other documents in order, then
/// the active one in its layout, written through <see cref="PlanWriter"/>, which finds the first
/// changed token.
/// </summary>
public sealed partial class ContextPlan
{
    /// <summary>Plans the sequence and compares it with the previous build.</summary>
    public PlanBuild Build()
    {
        _build++;
        _segments.Clear();
        _segmentStarts.Clear();
        ActiveLayout? active = _active is null ? null : LayoutActive(_active);
        int fixedCount = _preamble.Length + (active?.Count ?? 0);
        int evicted = Evict(fixedCount);

        _writer.Begin();
        if (_preamble.Length > 0)
        {
            _segmentStarts.Add(0);
            _writer.Write(_preamble);
        }

        foreach (DocumentState doc in _order)
        {
            if (doc == _active || doc.Stamp <= _evictedThrough)
            {
                continue;
            }

            WriteOther(doc);
        }

        SyncHints hints = active is null ? new SyncHints([.. _segmentStarts], -1, -1) : WriteActive(_active!, active);
        int first = _writer.Finish();
        return new PlanBuild(_writer.Tokens, first, hints, [.. _segments], evicted);
    }

    private FileHeaders Header(string path) => _format.Headers(path);

    private int OtherSize(DocumentState doc) => doc.Header.Length + doc.Tokens.Count + _otherTrailer.Length;

    /// <summary>
    /// Keeps the plan within budget: when over, leaves out the oldest documents until the plan is at
    /// the low-water mark. Left-out documents stay out until used again, so the front stays stable.
    /// </summary>
    private int Evict(int fixedCount)
    {
        long total = fixedCount;
        foreach (DocumentState doc in _order)
        {
            if (doc != _active && doc.Stamp > _evictedThrough)
            {
                total += OtherSize(doc);
            }
        }

        if (total > Budget)
        {
            long lowWater = (long)(Budget * PlanShares.LowWater);
            total = DropClosedDownTo(total, lowWater);
            foreach (DocumentState doc in _order)
            {
                if (total <= lowWater)
                {
                    break;
                }

                if (doc.Stamp > _evictedThrough)
                {
                    _evictedThrough = doc.Stamp;
                    if (doc != _active)
                    {
                        total -= OtherSize(doc);
                    }
                }
            }
        }

        DropEvictedClosed();
        return _order.Count(d => d != _active && d.Stamp <= _evictedThrough);
    }

    private void WriteOther(DocumentState doc)
    {
        int offset = _writer.Position;
        int size = OtherSize(doc);
        _segmentStarts.Add(offset);
        _segments.Add(new PlannedSegment(doc.Uri, offset, size, Active: false, Closed: doc.Closed));
        if (doc.PlannedBuild == _build - 1 && doc.PlannedOffset == offset && doc.PlannedVersion == doc.Tokens.Version)
        {
            // Same tokens at the same place as in the previous build: the buffer already holds them.
            _writer.Keep(size);
        }
        else
        {
            _writer.Write(doc.Header);
            _writer.Write(doc.Tokens.Tokens);
            _writer.Write(_otherTrailer);
        }

        (doc.PlannedBuild, doc.PlannedOffset, doc.PlannedVersion) = (_build, offset, doc.Tokens.Version);
    }

    private SyncHints WriteActive(DocumentState doc, ActiveLayout a)
    {
        int offset = _writer.Position;
        _segmentStarts.Add(offset);
        doc.PlannedBuild = -1;
        FileHeaders headers = doc.Headers;
        _writer.Write(headers.ActiveLead);
        ReadOnlySpan<int> body = doc.Tokens.Tokens[a.BodyStart..a.BodyEnd];
        int prefixStart;
        switch (_format.Layout)
        {
            case FimLayout.Psm when a.TailAfterMiddle:
                // <PRE>lines before the cursor's line<SUF>suffix<MID>the line up to the cursor: typing
                // changes only the end of the sequence, moving to another line re-decodes the suffix.
                _writer.Write(_format.PsmPrefixMarker);
                _writer.Write(headers.ActiveBeforeBody);
                _writer.Write(body);
                int suffixStart = _writer.Position;
                _writer.Write(_format.SuffixMarker);
                _writer.Write(a.Suffix.Span);
                _writer.Write(_format.PsmMiddleMarker(textFollows: true));
                int tailStart = _writer.Position;
                _writer.Write(a.Tail);
                _segments.Add(new PlannedSegment(doc.Uri, offset, _writer.Position - offset, Active: true));
                return new SyncHints([.. _segmentStarts], tailStart, _writer.Position, suffixStart);
            case FimLayout.Psm:
                _writer.Write(_format.PsmPrefixMarker);
                _writer.Write(headers.ActiveBeforeBody);
                prefixStart = WritePrefix(body, a.Tail);
                _writer.Write(_format.SuffixMarker);
                _writer.Write(a.Suffix.Span);
                _writer.Write(_format.PsmMiddleMarker(textFollows: false));
                break;
            case FimLayout.Spm:
                // The suffix first, then the prefix, which the middle continues directly:
                // <PRE><SUF>suffix<MID>prefix as StarCoder and Code Llama were trained on it ("variant 2"
                // of the FIM paper), [SUFFIX]suffix[PREFIX]prefix for Codestral.
                _writer.Write(_format.SpmSuffixMarker);
                _writer.Write(a.Suffix.Span);
                _writer.Write(_format.SpmPrefixMarker);
                _writer.Write(headers.ActiveBeforeBody);
                prefixStart = WritePrefix(body, a.Tail);
                break;
            default:
                _writer.Write(headers.ActiveBeforeBody);
                prefixStart = WritePrefix(body, a.Tail);
                break;
        }

        _segments.Add(new PlannedSegment(doc.Uri, offset, _writer.Position - offset, Active: true));
        int prefixEnd = prefixStart + body.Length + a.Tail.Length;
        int lineStart = prefixStart + Math.Min(a.CursorLineToken - a.BodyStart, body.Length);
        return new SyncHints([.. _segmentStarts], lineStart, prefixEnd);
    }

    private int WritePrefix(ReadOnlySpan<int> body, ReadOnlySpan<int> tail)
    {
        int start = _writer.Position;
        _writer.Write(body);
        _writer.Write(tail);
        return start;
    }

    private ActiveLayout LayoutActive(DocumentState doc)
    {
        // Edits and focus keep a large document's slice at the cursor already; the layout relies on it.
        doc.Tokens.Focus(doc.Cursor);
        return ActiveWindow.Compute(doc, _tokenizer, _settings, _format, SuffixLines, Budget - _preamble.Length);
    }
}
