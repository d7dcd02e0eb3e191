using LspLlama.Core.Session;

namespace LspLlama.Core.Bench;

/// <summary>
/// The ratios the project's claim rests on (issue "Bench", Acceptance), computed from the policy
/// results: how close `lspllama` comes to the ideal, how many times fewer tokens it decodes than
/// `none` and `end-only`, and its total sync time against `none`'s.
/// </summary>
public sealed record BenchAcceptance(
    double? LspllamaToIdeal,
    double? NoneToLspllama,
    double? EndOnlyToLspllama,
    double? SyncTimeLspllamaToNone)
{
    /// <summary>Targets of the default trace; the quick trace asks 3 × fewer tokens instead of 5 ×.</summary>
    public const double MaxToIdeal = 1.10;
    public const double MaxTimeFraction = 1.0 / 3.0;

    public static BenchAcceptance Of(IReadOnlyList<PolicyResult> results)
    {
        PolicyResult? ours = results.FirstOrDefault(r => r.Name == CheckpointPolicies.Lspllama);
        PolicyResult? none = results.FirstOrDefault(r => r.Name == CheckpointPolicies.None);
        PolicyResult? endOnly = results.FirstOrDefault(r => r.Name == CheckpointPolicies.EndOnly);
        return new BenchAcceptance(
            ours?.RatioToIdeal,
            Ratio(none?.DecodedTokens, ours?.DecodedTokens),
            Ratio(endOnly?.DecodedTokens, ours?.DecodedTokens),
            Ratio(ours?.TotalSyncMs, none?.TotalSyncMs));
    }

    /// <summary>Whether every ratio that could be computed meets its target (end-only has none: it is reported, not a goal).</summary>
    public bool Meets(double minTimesFewer) =>
        (LspllamaToIdeal is null || LspllamaToIdeal <= MaxToIdeal)
        && (NoneToLspllama is null || NoneToLspllama >= minTimesFewer)
        && (SyncTimeLspllamaToNone is null || SyncTimeLspllamaToNone <= MaxTimeFraction);

    private static double? Ratio(double? a, double? b) =>
        a is null || b is null ? null : b == 0 ? (a == 0 ? 1 : double.PositiveInfinity) : a.Value / b.Value;
}
