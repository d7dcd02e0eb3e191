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
            return new SyncCost(Policy == "none" ? context : 1, 1, 1, 0, context, Policy == "none");
        }

        public void Dispose() => Disposed = true;
    }
}
