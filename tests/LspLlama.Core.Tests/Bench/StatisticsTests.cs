using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Core.Tests.Bench;

public sealed class StatisticsTests
{
    [Fact]
    public void Percentiles_interpolate_between_ranks()
    {
        Percentiles p = Percentiles.Of([10, 1, 4, 3, 2, 5, 6, 7, 8, 9]);
        Assert.Equal(5.5, p.P50, 9);
        Assert.Equal(9.55, p.P95, 9);
        Assert.Equal(9.91, p.P99, 9);
        Assert.Equal(10, p.Max);
        Assert.Equal(new Percentiles(7, 7, 7, 7), Percentiles.Of([7]));
        Assert.Equal(new Percentiles(0, 0), Percentiles.Of([]));
        Assert.Equal(2, Percentiles.Of([1, 2, 3]).P50);
    }

    [Fact]
    public void A_tally_adds_totals_peaks_and_full_reprocesses()
    {
        PolicyTally tally = new("lspllama");
        tally.Add(new SyncCost(100, 100, 10, 1_000, 100, FullReprocess: false));
        tally.Add(new SyncCost(300, 20, 30, 5_000, 120, FullReprocess: true));
        tally.Add(new SyncCost(20, 20, 2, 2_000, 110, FullReprocess: false));
        PolicyResult r = tally.ToResult();

        Assert.Equal("lspllama", r.Name);
        Assert.Equal(420, r.DecodedTokens);
        Assert.Equal(140, r.IdealTokens);
        Assert.Equal(3, r.Syncs);
        Assert.Equal(42, r.TotalSyncMs, 9);
        Assert.Equal(5_000, r.CheckpointPeakBytes);
        Assert.Equal(1, r.FullReprocesses);
        Assert.Equal(120, r.MaxContextTokens);
        Assert.Equal(3.0, r.RatioToIdeal, 9);
        Assert.Equal(100, r.DecodedPerSync.P50);
        Assert.Equal(10, r.SyncMs.P50);
    }

    [Fact]
    public void Acceptance_ratios_compare_lspllama_with_the_ideal_and_the_other_policies()
    {
        PolicyResult ours = Result("lspllama", decoded: 1_050, ideal: 1_000, ms: 100);
        PolicyResult none = Result("none", decoded: 10_500, ideal: 1_000, ms: 400);
        PolicyResult endOnly = Result("end-only", decoded: 4_200, ideal: 1_000, ms: 350);
        BenchAcceptance a = BenchAcceptance.Of([none, endOnly, ours]);

        Assert.Equal(1.05, a.LspllamaToIdeal!.Value, 9);
        Assert.Equal(10.0, a.NoneToLspllama!.Value, 9);
        Assert.Equal(4.0, a.EndOnlyToLspllama!.Value, 9);
        Assert.Equal(0.25, a.SyncTimeLspllamaToNone!.Value, 9);
        Assert.True(a.Meets(3));
        Assert.True(a.Meets(5)); // end-only's 4x fewer is reported, its target withdrawn
        Assert.False(a.Meets(11));

        BenchAcceptance partial = BenchAcceptance.Of([ours]);
        Assert.Null(partial.NoneToLspllama);
        Assert.True(partial.Meets(5));
        Assert.False(BenchAcceptance.Of([Result("lspllama", 1_200, 1_000, 1)]).Meets(5));
    }

    private static PolicyResult Result(string name, long decoded, long ideal, double ms)
    {
        PolicyTally t = new(name);
        t.Add(new SyncCost(decoded, ideal, ms, 0, 0, false));
        return t.ToResult();
    }
}
