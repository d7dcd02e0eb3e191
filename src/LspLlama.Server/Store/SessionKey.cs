namespace LspLlama.Store;

/// <summary>
/// What a stored session belongs to. A stored file is only used when all three parts equal the
/// running server's: another workspace, another model file, or settings that change the shape of
/// the state would make the saved bytes meaningless (or crash llama.cpp on restore).
/// </summary>
/// <param name="Workspace">Normalized workspace root (see <see cref="NormalizeWorkspace"/>); empty when there is none.</param>
public sealed record SessionKey(string Workspace, ModelFingerprint Model, StateSettings Settings)
{
    /// <summary>
    /// The same folder must give the same key however the client spells it: full path, no trailing
    /// separator, and lower case on file systems that usually ignore case.
    /// </summary>
    public static string NormalizeWorkspace(string? root)
    {
        if (string.IsNullOrWhiteSpace(root))
        {
            return string.Empty;
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? full.ToLowerInvariant() : full;
    }
}

/// <summary>
/// The context settings that change what the sequence state contains or how it is laid out.
/// Settings that only change speed (threads, n_batch, n_ubatch) do not belong here.
/// </summary>
/// <param name="ContextSize">n_ctx: the size of the attention KV.</param>
/// <param name="TypeK">KV cache type of K ("f16", "q8_0", …).</param>
/// <param name="TypeV">KV cache type of V.</param>
/// <param name="RecurrentRollbackSnapshots">n_rs_seq: multiplies the recurrent rows in the state.</param>
/// <param name="FlashAttention">Flash attention stores V untransposed, which changes the state layout.</param>
/// <param name="SwaFull">A full-size SWA cache instead of a window-sized one.</param>
/// <param name="Engine">Identifies the native library (e.g. "llama.cpp 815a2a59"): its state format is not stable across versions.</param>
public sealed record StateSettings(
    uint ContextSize,
    string TypeK,
    string TypeV,
    uint RecurrentRollbackSnapshots,
    bool FlashAttention,
    bool SwaFull,
    string Engine);
