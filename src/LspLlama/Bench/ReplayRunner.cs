using LspLlama.Core.Bench;

namespace LspLlama.Bench;

/// <summary>
/// Replays a trace once per policy and adds up what each sync cost. The trace is checked first
/// (every position valid, every document open), so a replay never fails halfway on bad input.
/// </summary>
internal sealed class ReplayRunner(IReplayTargetFactory factory, ReportProgress? progress = null)
{
    public static readonly IReadOnlyList<string> AllPolicies =
        [BenchAcceptance.None, BenchAcceptance.EndOnly, BenchAcceptance.Interval, BenchAcceptance.Lspllama];

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
        for (int p = 0; p < policies.Count; p++)
        {
            PolicyTally tally = new(policies[p]);
            using IReplayTarget target = factory.Create(policies[p], trace.Header.PositionEncoding);
            progress?.Update(policies[p], p, policies.Count, 0, syncs);
            foreach (TraceEvent e in trace.Events)
            {
                cancellation.ThrowIfCancellationRequested();
                if (e is TraceCompletion request)
                {
                    tally.Add(target.Sync(request, cancellation));
                    progress?.Update(policies[p], p, policies.Count, tally.Syncs, syncs);
                }
                else
                {
                    target.Apply(e);
                }
            }

            results.Add(tally.ToResult());
        }

        int context = results.Count == 0 ? 0 : results.Max(r => r.MaxContextTokens);
        return new BenchReport(factory.Model, BenchTraceInfo.Of(trace, context), results);
    }
}
