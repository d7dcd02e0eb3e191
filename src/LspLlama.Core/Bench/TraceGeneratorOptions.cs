namespace LspLlama.Core.Bench;

/// <summary>
/// What a generated trace looks like. Stored in the trace header, so a trace says how it was made.
/// </summary>
/// <param name="Seed">The same seed and workspace give the same trace, event for event.</param>
/// <param name="Syncs">Completion requests in the trace (each one is a model sync in the replay).</param>
/// <param name="ContextTokens">Files are opened until they hold at least this many tokens (as counted
/// by the token counter given to the generator, an estimate of 3 characters a token without one).</param>
/// <param name="MaxFileBytes">Larger files are skipped, as generated code and data usually are.</param>
/// <param name="MaxOpenFiles">No more files are opened than this, whatever the context target.</param>
/// <param name="RecencyDecay">
/// Which other open file a switch or an edit elsewhere goes to: the k-th most recently used one
/// with weight <c>RecencyDecay^k</c>. 1 picks uniformly; the default 0.5 sends half of them to the
/// previous file (alternate file, go back, the caller just left) and most of the rest to the next
/// few, as editors' most-recently-used tab order and back navigation assume.
/// </param>
public sealed record TraceGeneratorOptions(
    int Seed = 1,
    int Syncs = 240,
    int ContextTokens = 36_000,
    int MaxFileBytes = 192 * 1024,
    int MaxOpenFiles = 40,
    double RecencyDecay = TraceGeneratorOptions.DefaultRecencyDecay)
{
    public const double DefaultRecencyDecay = 0.5;

    /// <summary>
    /// What traces written before the option existed did: uniform picks (the same distribution; the
    /// same seed no longer gives the same trace, since picks now draw their numbers differently).
    /// </summary>
    public const double UniformRecencyDecay = 1;

    /// <summary>The default trace: at least 200 syncs over at least a 32k-token context.</summary>
    public static TraceGeneratorOptions Default { get; } = new();

    /// <summary>A small trace for `bench --quick`, sized to replay all policies in a few minutes.</summary>
    public static TraceGeneratorOptions Quick { get; } = new(Syncs: 40, ContextTokens: 8_000);
}
