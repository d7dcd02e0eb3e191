using LspLlama.Cli;

namespace LspLlama.Bench;

/// <summary>
/// Chooses how the bench replays: through the server's own documents, context plan and model
/// session, one fresh context per policy. Returns null while this build has no model session.
/// </summary>
internal static class ReplayTargets
{
    public static IReplayTargetFactory? Create(BenchOptions options, TextWriter log)
    {
        _ = options;
        _ = log;
        return null;
    }
}
