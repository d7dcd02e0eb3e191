using System.Globalization;
using LspLlama.Core.Bench;
using LspLlama.Core.Session;

namespace LspLlama.Bench;

/// <summary>
/// Replays a trace once per policy and adds up what each sync cost. The trace is checked first
/// (every position valid, every document open), so a replay never fails halfway on bad input.
/// With <paramref name="perSync"/>, every sync also gets a CSV line: where the cost went, and after
/// which editor events. A bounded replay (<see cref="Bounded"/>) gets an idle moment at each pause
/// (<see cref="PausesAfter"/>), in which its refresh may decode <see cref="BoundedReplay.IdleTokens"/> tokens.
/// </summary>
public sealed class ReplayRunner(IReplayTargetFactory factory, ReportProgress? progress = null, TextWriter? perSync = null, BoundedReplay? bounded = null)
{
    private readonly int _idleTokens = bounded?.IdleTokens ?? 0;

    /// <summary>Ours, replayed with <c>completion.maxSyncTokens</c> set: "lspllama+bounded".</summary>
    public const string BoundedSuffix = "+bounded";

    public static string Bounded(string policy) => policy + BoundedSuffix;

    /// <summary>Whether <paramref name="name"/> names a bounded replay, and of which checkpoint policy.</summary>
    public static bool IsBounded(string name, out string policy)
    {
        bool bounded = name.EndsWith(BoundedSuffix, StringComparison.Ordinal);
        policy = bounded ? name[..^BoundedSuffix.Length] : name;
        return bounded;
    }

    public const string PerSyncHeader = "policy,sync,context_tokens,ideal_tokens,decoded_tokens,full_reprocess,sync_ms,edits,focus_changes,opens,closes,keystroke,saves,restored_from_disk,bytes_copied,save_ms,restore_ms,evictions,spilled,background_tokens,stale_documents,stale_age_ms";

    public static readonly IReadOnlyList<string> AllPolicies =
        [CheckpointPolicies.None, CheckpointPolicies.EndOnly, CheckpointPolicies.Interval, CheckpointPolicies.Lspllama];

    public BenchReport Run(EditTrace trace, IReadOnlyList<string> policies, CancellationToken cancellation)
    {
        IReadOnlyList<string> problems = TracePlayback.Validate(trace);
        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"the trace has {problems.Count} invalid event(s); the first: {problems[0]}");
        }

        int syncs = trace.CompletionCount;
        List<PolicyResult> results = [];

        // Measured in this run, before the replays, so copy throughput reads as a share of it.
        (double copyBandwidth, double firstTouch) = CopyBandwidth.MeasureAndRelease();
        perSync?.WriteLine(PerSyncHeader);
        for (int p = 0; p < policies.Count; p++)
        {
            PolicyTally tally = new(policies[p]);
            ProcessMemory.ReleaseGarbage();
            using IReplayTarget target = factory.Create(policies[p], trace.Header.PositionEncoding);
            progress?.Update(policies[p], p, policies.Count, 0, syncs);
            bool peakKnown = ProcessMemory.ResetPeak();
            long startRss = ProcessMemory.ResidentBytes() - ProcessMemory.ResidentBytesOf(factory.Model.Path);
            EventCounts since = default;
            TraceCompletion? previous = null;
            long unlisted = 0;
            for (int i = 0; i < trace.Events.Count; i++)
            {
                TraceEvent e = trace.Events[i];
                cancellation.ThrowIfCancellationRequested();
                if (e is TraceCompletion request)
                {
                    bool keystroke = since.IsKeystrokesOnly && since.EditedUri == request.Uri
                        && previous is { } last && last.Uri == request.Uri && last.Position.Line == request.Position.Line;
                    previous = request;
                    SyncCost? answered = target.Sync(request, cancellation);
                    long background = _idleTokens > 0 && PausesAfter(trace.Events, i) ? target.Idle(_idleTokens, cancellation) : 0;
                    tally.AddBackground(background);

                    // A cache hit has no line of its own: its pause's refresh goes on the next line.
                    unlisted += background;

                    if (answered is not { } synced)
                    {
                        tally.AddCacheHit();
                        since = default;
                        progress?.Update(policies[p], p, policies.Count, tally.Syncs, syncs);
                        continue;
                    }

                    SyncCost cost = synced with { Keystroke = keystroke };
                    perSync?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{policies[p]},{tally.Syncs},{cost.ContextTokens},{cost.IdealTokens},{cost.DecodedTokens},{(cost.FullReprocess ? 1 : 0)},{cost.Milliseconds:F1},{since.Edits},{since.Focus},{since.Opens},{since.Closes}," +
                        $"{(keystroke ? 1 : 0)},{cost.CheckpointsSaved},{cost.Traffic.DiskRestores},{cost.Traffic.BytesCopied},{cost.SaveMs:F1},{cost.RestoreMs:F1},{cost.Traffic.Evictions},{cost.Traffic.Spilled}," +
                        $"{unlisted},{cost.StaleDocuments},{cost.StaleAgeMs:F0}"));
                    unlisted = 0;
                    since = default;
                    tally.Add(cost);
                    progress?.Update(policies[p], p, policies.Count, tally.Syncs, syncs);
                }
                else
                {
                    since = since.Add(e);
                    target.Apply(e);
                }
            }

            results.Add(tally.ToResult(target.PeakCheckpointBytes, peakKnown ? new ReplayResidentMemory(ProcessMemory.PeakResidentBytes(), startRss) : default));
        }

        int context = results.Count == 0 ? 0 : results.Max(r => r.MaxContextTokens);
        return new BenchReport(factory.Model, BenchTraceInfo.Of(trace, context), results) { CopyBytesPerSecond = copyBandwidth, FirstTouchBytesPerSecond = firstTouch, Bounded = bounded };
    }

    /// <summary>
    /// Whether the user pauses after the request at <paramref name="at"/>: anything but more
    /// keystrokes on the same line comes next (a jump, a switch, an edit elsewhere, the end). A
    /// typist's keystrokes come faster than the server's idle delay, so its background work runs
    /// in the pauses between actions, not between keystrokes.
    /// </summary>
    public static bool PausesAfter(IReadOnlyList<TraceEvent> events, int at)
    {
        if (events[at] is not TraceCompletion request)
        {
            return false;
        }

        EventCounts next = default;
        for (int i = at + 1; i < events.Count; i++)
        {
            if (events[i] is TraceCompletion following)
            {
                return !(next.IsKeystrokesOnly && next.EditedUri == request.Uri
                    && following.Uri == request.Uri && following.Position.Line == request.Position.Line);
            }

            next = next.Add(events[i]);
        }

        return true;
    }

    /// <summary>Editor events since the previous sync, for the per-sync log.</summary>
    private readonly record struct EventCounts(int Edits, int Focus, int Opens, int Closes, int Keystrokes = 0, string? EditedUri = null, bool SeveralFiles = false)
    {
        /// <summary>Keystrokes came in one file, and nothing else.</summary>
        public bool IsKeystrokesOnly => Keystrokes > 0 && Keystrokes == Edits && !SeveralFiles && Focus == 0 && Opens == 0 && Closes == 0;

        public EventCounts Add(TraceEvent e) => e switch
        {
            TraceEdit edit => this with
            {
                Edits = Edits + 1,
                Keystrokes = Keystrokes + (TraceMix.IsKeystroke(edit) ? 1 : 0),
                EditedUri = edit.Uri,
                SeveralFiles = SeveralFiles || (EditedUri is not null && EditedUri != edit.Uri),
            },
            TraceFocus => this with { Focus = Focus + 1 },
            TraceOpen => this with { Opens = Opens + 1 },
            TraceClose => this with { Closes = Closes + 1 },
            _ => this,
        };
    }
}
