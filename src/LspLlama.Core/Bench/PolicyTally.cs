namespace LspLlama.Core.Bench;

/// <summary>Adds up the syncs of one policy's replay.</summary>
public sealed class PolicyTally(string name)
{
    private readonly List<double> _decoded = [];
    private readonly List<double> _ms = [];
    private readonly CheckpointTally _checkpoints = new();
    private readonly List<double> _staleAges = [];
    private int _staleRequests;

    public string Name { get; } = name;

    public long DecodedTokens { get; private set; }

    public long IdealTokens { get; private set; }

    public double TotalMs { get; private set; }

    public long CheckpointPeakBytes { get; private set; }

    public int FullReprocesses { get; private set; }

    public int MaxContextTokens { get; private set; }

    public int Syncs => _decoded.Count;

    /// <summary>Requests the typed-ahead cache answered, with no sync (as in the server).</summary>
    public int CacheHits { get; private set; }

    public void AddCacheHit() => CacheHits++;

    /// <summary>Tokens decoded in the background (a bounded replay's refresh between requests).</summary>
    public long BackgroundTokens { get; private set; }

    public void AddBackground(long tokens) => BackgroundTokens += tokens;

    public void Add(SyncCost sync)
    {
        _decoded.Add(sync.DecodedTokens);
        _ms.Add(sync.Milliseconds);
        DecodedTokens += sync.DecodedTokens;
        IdealTokens += sync.IdealTokens;
        TotalMs += sync.Milliseconds;
        CheckpointPeakBytes = Math.Max(CheckpointPeakBytes, sync.CheckpointBytes);
        FullReprocesses += sync.FullReprocess ? 1 : 0;
        if (sync.StaleDocuments > 0)
        {
            _staleRequests++;
            _staleAges.Add(sync.StaleAgeMs);
        }

        MaxContextTokens = Math.Max(MaxContextTokens, sync.ContextTokens);
        _checkpoints.Add(sync);
    }

    /// <param name="peakCheckpointBytes">The session's own peak (within syncs too); 0: the peak after syncs.</param>
    /// <param name="rss">The process's resident memory during this replay; zeros where unknown.</param>
    public PolicyResult ToResult(long peakCheckpointBytes = 0, ReplayResidentMemory rss = default) => new(
        Name,
        DecodedTokens,
        IdealTokens,
        Syncs,
        Percentiles.Of(_decoded),
        Percentiles.Of(_ms),
        TotalMs,
        Math.Max(peakCheckpointBytes, CheckpointPeakBytes),
        FullReprocesses,
        MaxContextTokens,
        CacheHits,
        _checkpoints.ToFigures(Math.Max(peakCheckpointBytes, CheckpointPeakBytes), rss))
    {
        Lag = new LagFigures(BackgroundTokens, _staleRequests, Percentiles.Of(_staleAges)),
    };
}

/// <summary>What a bounded replay deferred: the background refresh and how stale the requests' context was.</summary>
/// <param name="BackgroundTokens">Tokens decoded between requests, bringing the context up to date.</param>
/// <param name="StaleRequests">Synced requests whose prompt held some document stale or left out.</param>
/// <param name="StaleAgeMs">Over those requests, the age of the oldest change the prompt lacked (replay time).</param>
public sealed record LagFigures(long BackgroundTokens, int StaleRequests, Percentiles StaleAgeMs);

/// <summary>One policy's line of the report (and its object in the JSON).</summary>
public sealed record PolicyResult(
    string Name,
    long DecodedTokens,
    long IdealTokens,
    int Syncs,
    Percentiles DecodedPerSync,
    Percentiles SyncMs,
    double TotalSyncMs,
    long CheckpointPeakBytes,
    int FullReprocesses,
    int MaxContextTokens,
    int CacheHits = 0,
    CheckpointFigures? Checkpoints = null)
{
    /// <summary>The background refresh and the staleness a bounded replay saw; zeros for an exact one.</summary>
    public LagFigures Lag { get; init; } = new(0, 0, Percentiles.Of([]));

    /// <summary>Foreground and background tokens together: all the decoding the replay did.</summary>
    public long TotalDecodedTokens => DecodedTokens + Lag.BackgroundTokens;

    /// <summary>Decoded tokens over ideal tokens; 1 is a perfect rollback.</summary>
    public double RatioToIdeal => IdealTokens == 0 ? (DecodedTokens == 0 ? 1 : double.PositiveInfinity) : (double)DecodedTokens / IdealTokens;
}
