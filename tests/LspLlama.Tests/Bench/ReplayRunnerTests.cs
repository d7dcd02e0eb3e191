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

        public SyncCost Sync(TraceCompletion request, CancellationToken cancellation)
        {
            Seen.Add(request);
            int context = _docs.OpenUris.Sum(u => _docs.TextOf(u).Length);
            return new SyncCost(Policy == "none" ? context : 1, 1, 1, 0, context, Policy == "none");
        }

        public void Dispose() => Disposed = true;
    }
}
