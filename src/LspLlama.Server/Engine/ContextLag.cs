using System.Diagnostics;
using LspLlama.Core.Context;

namespace LspLlama.Engine;

/// <summary>How far the model's context lags behind the editor (bounded syncs, <c>completion.maxSyncTokens</c>).</summary>
/// <param name="Documents">Documents whose exact text the memory lacks (left out, or as the model last decoded them).</param>
/// <param name="Tokens">The tokens those documents hold in the exact plan.</param>
/// <param name="OldestChange">Age of the oldest change the memory does not hold yet.</param>
/// <param name="BoundedRequests">Completions answered from a bounded prompt since the load.</param>
public sealed record ContextLag(int Documents, int Tokens, TimeSpan OldestChange, int BoundedRequests)
{
    public bool Any => Documents > 0;
}

/// <summary>
/// Keeps when each document last changed without the memory having caught up, and what the last
/// sync left stale, so status can say how old the oldest stale change is. Inference thread only,
/// but <see cref="Lagging"/>, which the engine reads to schedule the refresh.
/// </summary>
internal sealed class ContextLagTracker
{
    private readonly Dictionary<string, long> _changedAt = new(StringComparer.Ordinal);
    private PromptLag _lag = PromptLag.None;
    private long _lagSince;
    private volatile bool _lagging;

    public bool Lagging => _lagging;

    public int BoundedRequests { get; private set; }

    /// <summary>A document changed (at the Stopwatch timestamp <paramref name="stamp"/>); only its first unsynced change counts.</summary>
    public void Changed(string uri, long stamp) => _changedAt.TryAdd(uri, stamp);

    public void Bounded() => BoundedRequests++;

    /// <summary>After a sync: what the memory now lacks of the exact plan; documents it holds exactly forget their changes.</summary>
    public void Synced(PromptLag lag)
    {
        foreach (string uri in _changedAt.Keys.Where(u => !lag.Uris.Contains(u, StringComparer.Ordinal)).ToArray())
        {
            _ = _changedAt.Remove(uri);
        }

        if (lag.Any && !_lag.Any)
        {
            _lagSince = Stopwatch.GetTimestamp();
        }

        _lag = lag;
        _lagging = lag.Any;
    }

    public ContextLag Figures()
    {
        if (!_lag.Any)
        {
            return new ContextLag(0, 0, TimeSpan.Zero, BoundedRequests);
        }

        // A stale document with no recorded change (it moved, or the memory lost it) counts from when the lag began.
        long oldest = _lagSince;
        foreach (string uri in _lag.Uris)
        {
            if (_changedAt.TryGetValue(uri, out long stamp) && stamp < oldest)
            {
                oldest = stamp;
            }
        }

        return new ContextLag(_lag.Documents, _lag.Tokens, Stopwatch.GetElapsedTime(oldest), BoundedRequests);
    }
}
