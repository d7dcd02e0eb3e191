using LspLlama.Bench;
using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class ReplayRunnerTests
{
    private static EditTrace Trace() => new TraceGenerator(
        [new SourceFile("file:///w/a.cs", "csharp", "class A\n{\n}\n"), new SourceFile("file:///w/b.cs", "csharp", "class B\n{\n}\n")],
        new TraceGeneratorOptions(Seed: 2, Syncs: 25, ContextTokens: 100)).Generate("/w");

    [Fact]
    public void Each_policy_gets_a_fresh_target_that_sees_every_event_in_order()
    {
        EditTrace trace = Trace();
        RecordingFactory factory = new();
        BenchReport report = new ReplayRunner(factory).Run(trace, ["none", "lspllama"], CancellationToken.None);

        Assert.Equal(["none", "lspllama"], factory.Created.Select(t => t.Policy));
        foreach (RecordingTarget target in factory.Created)
        {
            Assert.Equal(trace.Events, target.Seen);
            Assert.True(target.Disposed);
        }

        Assert.Equal(["none", "lspllama"], report.Policies.Select(p => p.Name));
        Assert.All(report.Policies, p => Assert.Equal(25, p.Syncs));

        // The fake decodes the whole text at each sync for "none" and one token for "lspllama".
        PolicyResult none = report.Policies[0];
        Assert.Equal(report.Policies[1].Syncs, report.Policies[1].DecodedTokens);
        Assert.True(none.DecodedTokens > 25 * 10);
        Assert.Equal(none.MaxContextTokens, report.Trace.MaxContextTokens);
        Assert.Equal(25, report.Trace.Syncs);
        Assert.Equal("granitehybrid", report.Model.Architecture);
    }

    [Fact]
    public void An_invalid_trace_is_refused_before_any_target_is_made()
    {
        EditTrace bad = new(Trace().Header, [new TraceCompletion("file:///w/never-opened.cs", new TracePosition(0, 0))]);
        RecordingFactory factory = new();
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => new ReplayRunner(factory).Run(bad, ["none"], CancellationToken.None));
        Assert.Contains("not open", ex.Message, StringComparison.Ordinal);
        Assert.Empty(factory.Created);
    }

    [Fact]
    public void Progress_reaches_the_end_of_every_policy()
    {
        StringWriter err = new();
        new ReplayRunner(new RecordingFactory(), new ReportProgress(err, interactive: false)).Run(Trace(), ["none", "end-only"], CancellationToken.None);
        string text = err.ToString();
        Assert.Contains("[1/2] none: 25/25 syncs", text, StringComparison.Ordinal);
        Assert.Contains("[2/2] end-only: 0/25 syncs", text, StringComparison.Ordinal);
        Assert.Contains("[2/2] end-only: 25/25 syncs", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_sync_log_has_a_line_per_policy_and_sync_with_the_events_before_it()
    {
        EditTrace trace = Trace();
        StringWriter log = new();
        BenchReport report = new ReplayRunner(new RecordingFactory(), perSync: log).Run(trace, ["none", "lspllama"], CancellationToken.None);

        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ReplayRunner.PerSyncHeader, lines[0].TrimEnd('\r'));
        Assert.Equal(1 + (2 * 25), lines.Length);
        string[][] rows = [.. lines.Skip(1).Select(l => l.TrimEnd('\r').Split(','))];
        Assert.Equal(report.Policies[0].DecodedTokens, rows.Where(r => r[0] == "none").Sum(r => long.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Where(r => r[0] == "lspllama").Select(r => r[1]));

        // The events between syncs add up to the trace's events before its last sync, for each policy;
        // the first sync comes after both files were opened.
        int lastSync = trace.Events.Count - 1 - trace.Events.Reverse().TakeWhile(e => e is not TraceCompletion).Count();
        int edits = trace.Events.Take(lastSync).Count(e => e is TraceEdit);
        Assert.Equal(edits, rows.Where(r => r[0] == "none").Sum(r => int.Parse(r[7], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(edits, rows.Where(r => r[0] == "lspllama").Sum(r => int.Parse(r[7], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("2", rows[0][9]);
    }

    [Fact]
    public void Keystroke_syncs_and_checkpoint_traffic_are_counted_per_policy()
    {
        EditTrace trace = Trace();
        BenchReport report = new ReplayRunner(new RecordingFactory()).Run(trace, ["lspllama"], CancellationToken.None);

        // Counted independently: requests after only keystrokes in the requested file, on the line of the request before.
        int expected = 0;
        TraceCompletion? previous = null;
        List<TraceEvent> since = [];
        foreach (TraceEvent e in trace.Events)
        {
            if (e is not TraceCompletion request)
            {
                since.Add(e);
                continue;
            }

            bool keystrokes = since.Count > 0 && since.All(x => x is TraceEdit edit && edit.Uri == request.Uri && TraceMix.IsKeystroke(edit));
            expected += keystrokes && previous is { } p && p.Uri == request.Uri && p.Position.Line == request.Position.Line ? 1 : 0;
            previous = request;
            since.Clear();
        }

        CheckpointFigures c = report.Policies[0].Checkpoints!;
        Assert.True(expected > 0, "the generated trace types on a line");
        Assert.Equal(expected, c.KeystrokeSyncs);
        Assert.Equal(25 * 3000L, c.BytesSaved);
        Assert.Equal(25 * 1000L, c.BytesRestored);
        Assert.Equal(4000, c.BytesCopiedPerSync.P50);
        Assert.Equal(4000, c.KeystrokeBytesCopied.P50);
        Assert.Equal((75, 25, 1000), (c.Saves, c.Restores, c.CheckpointSize));
        Assert.True(report.CopyBytesPerSecond > 1e8, "a memory copy runs at more than 100 MB/s");
    }

    private sealed class RecordingFactory : IReplayTargetFactory
    {
        public List<RecordingTarget> Created { get; } = [];

        public BenchModelInfo Model { get; } = new("m.gguf", "granitehybrid", "hybrid", 4096, 512, 512, true);

        public int CountTokens(string text) => text.Length;

        public IReplayTarget Create(string policy, string positionEncoding)
        {
            RecordingTarget t = new(policy);
            Created.Add(t);
            return t;
        }
    }

    /// <summary>Keeps the texts with the same playback the runner validated with, and reports made-up costs.</summary>
    private sealed class RecordingTarget(string policy) : IReplayTarget
    {
        private readonly TracePlayback _docs = new();

        public string Policy { get; } = policy;

        public List<TraceEvent> Seen { get; } = [];

        public bool Disposed { get; private set; }

        public void Apply(TraceEvent e)
        {
            Seen.Add(e);
            Assert.Null(_docs.TryApply(e));
        }

        public SyncCost? Sync(TraceCompletion request, CancellationToken cancellation)
        {
            Seen.Add(request);
            int context = _docs.OpenUris.Sum(u => _docs.TextOf(u).Length);
            // Three 1000-byte saves and one restore per sync.
            var traffic = new LspLlama.Core.Session.CheckpointTraffic(1, 3000, 1000, 0, 0, 0, 0, TimeSpan.Zero, 0);
            return new SyncCost(Policy == "none" ? context : 1, 1, 1, 0, context, Policy == "none", CheckpointsSaved: 3, Traffic: traffic);
        }

        public void Dispose() => Disposed = true;
    }
}
