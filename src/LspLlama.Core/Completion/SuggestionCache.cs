namespace LspLlama.Core.Completion;

/// <summary>Where a cached suggestion came from.</summary>
public enum CacheHitKind
{
    /// <summary>The user typed the first characters of the suggestion shown last; this is the rest of it.</summary>
    TypedAhead,

    /// <summary>A recent request with the same prefix and suffix.</summary>
    Recent,
}

/// <summary>A suggestion answered without the model.</summary>
public readonly record struct CacheHit(string Suggestion, CacheHitKind Kind);

/// <summary>
/// Answers requests without the model:
/// <list type="bullet">
/// <item>Typed ahead: when a request's prefix is the previous request's prefix plus the first
/// characters of the suggestion shown then, with the same suffix, the answer is the rest of that
/// suggestion. Any other request in the same document (the text diverged from the suggestion, the
/// suffix changed, the document changed before the cursor, the cursor moved) drops the entry.
/// One change of the suffix is allowed: closers the editor auto-inserted right of the cursor
/// (typing <c>(</c> gives <c>()</c>), which are then taken off the end of the rest.</item>
/// <item>Recent: a small LRU of results keyed by document, the lengths of prefix and suffix and a
/// 64-bit hash of the text (<see cref="TextAroundCursor.Key"/>), so whole documents are not kept for it.</item>
/// </list>
/// Not thread-safe: it belongs to the one worker that answers completions.
/// </summary>
public sealed class SuggestionCache(int capacity = 64)
{
    private const int MaxAutoClosed = 4;
    private const string AutoClosers = ")]}\"'`";

    private readonly int _capacity = capacity;
    private readonly Dictionary<RecentKey, LinkedListNode<(RecentKey Key, string Suggestion)>> _recent = [];
    private readonly LinkedList<(RecentKey Key, string Suggestion)> _recency = new();
    private Shown? _shown;

    /// <summary>Number of entries in the recent-results LRU.</summary>
    public int RecentCount => _recent.Count;

    /// <summary>The cached suggestion for <paramref name="request"/>, or null when the model must answer.</summary>
    public CacheHit? TryGet(CompletionRequest request)
    {
        if (_shown is { } shown && shown.Request.DocumentId == request.DocumentId)
        {
            if (RestAfterTyping(shown, request) is { } rest)
            {
                return new CacheHit(rest, CacheHitKind.TypedAhead);
            }

            _shown = null;
        }

        RecentKey key = RecentKey.Of(request);
        if (_recent.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);

            // It is shown again, so typing its first characters must hit as well.
            _shown = new Shown(request, node.Value.Suggestion);
            return new CacheHit(node.Value.Suggestion, CacheHitKind.Recent);
        }

        return null;
    }

    /// <summary>
    /// Records what the model answered for <paramref name="request"/> (null: no suggestion), which
    /// becomes the suggestion the next typed-ahead request is compared with.
    /// </summary>
    public void Remember(CompletionRequest request, string? suggestion)
    {
        if (string.IsNullOrWhiteSpace(suggestion))
        {
            if (_shown?.Request.DocumentId == request.DocumentId)
            {
                _shown = null;
            }

            return;
        }

        _shown = new Shown(request, suggestion);
        RecentKey key = RecentKey.Of(request);
        if (_recent.Remove(key, out var old))
        {
            _recency.Remove(old);
        }

        _recent[key] = _recency.AddFirst((key, suggestion));
        if (_recent.Count > _capacity)
        {
            _recent.Remove(_recency.Last!.Value.Key);
            _recency.RemoveLast();
        }
    }

    /// <summary>Drops everything about a document (closed, or replaced wholesale).</summary>
    public void Forget(string documentId) => ForgetWhere(id => id == documentId);

    /// <summary>
    /// Drops everything about the documents other than <paramref name="documentId"/>, which just
    /// changed: it is part of their context, so their suggestions may no longer be what the model
    /// would say. Its own entries stay; they are checked against its text on every request.
    /// </summary>
    public void ForgetOthers(string documentId) => ForgetWhere(id => id != documentId);

    private void ForgetWhere(Func<string, bool> matches)
    {
        if (_shown is not null && matches(_shown.Request.DocumentId))
        {
            _shown = null;
        }

        for (var node = _recency.First; node is not null;)
        {
            var next = node.Next;
            if (matches(node.Value.Key.DocumentId))
            {
                _recent.Remove(node.Value.Key);
                _recency.Remove(node);
            }

            node = next;
        }
    }

    private static string? RestAfterTyping(Shown shown, CompletionRequest request)
    {
        if (request.Text.Extends(shown.Request.Text) is not (string typedText, string autoClosedText))
        {
            return null;
        }

        // An editor that auto-closes brackets and quotes puts the closer right of the cursor as the
        // user types the opener; the rest of the suggestion then must not insert it again.
        ReadOnlySpan<char> autoClosed = autoClosedText;
        if (autoClosed.Length > MaxAutoClosed || autoClosed.IndexOfAnyExcept(AutoClosers) >= 0)
        {
            return null;
        }

        ReadOnlySpan<char> typed = typedText;
        if (!shown.Suggestion.AsSpan().StartsWith(typed, StringComparison.Ordinal))
        {
            return null;
        }

        ReadOnlySpan<char> rest = shown.Suggestion.AsSpan(typed.Length);
        if (!autoClosed.IsEmpty)
        {
            if (!rest.EndsWith(autoClosed, StringComparison.Ordinal))
            {
                return null;
            }

            rest = rest[..^autoClosed.Length].TrimEnd();
        }

        return rest.IsWhiteSpace() ? null : rest.ToString();
    }

    private sealed record Shown(CompletionRequest Request, string Suggestion);

    private readonly record struct RecentKey(string DocumentId, int PrefixLength, int SuffixLength, ulong TextKey)
    {
        public static RecentKey Of(CompletionRequest request) => new(
            request.DocumentId, request.Text.PrefixLength, request.Text.SuffixLength, request.Text.Key);
    }
}
