namespace LspLlama.Store;

/// <summary>
/// When the inference worker should save its session: on shutdown whenever the context changed
/// since the last save, and when idle only if enough new tokens were decoded and enough time has
/// passed, so saving (which copies the whole state to disk) never competes with typing.
/// </summary>
public sealed class SavePolicy(TimeSpan minInterval, int minChangedTokens)
{
    /// <summary>A fresh policy per loaded model (it remembers that model's last save): at most every 2 minutes, 2,048 new tokens at least.</summary>
    public static SavePolicy CreateDefault() => new(TimeSpan.FromMinutes(2), 2048);

    private int[] _saved = [];
    private DateTime _savedAtUtc = DateTime.MinValue;

    /// <summary>Tokens of <paramref name="current"/> after its common prefix with the last save.</summary>
    public int ChangedTokens(IReadOnlyList<int> current) => current.Count - RestoreGain.CommonPrefix(_saved, current);

    public bool ShouldSaveWhenIdle(IReadOnlyList<int> current, DateTime nowUtc) =>
        nowUtc - _savedAtUtc >= minInterval && ChangedTokens(current) >= minChangedTokens;

    /// <summary>On shutdown any difference is worth keeping, except an empty context.</summary>
    public bool ShouldSaveOnShutdown(IReadOnlyList<int> current) =>
        current.Count > 0 && (current.Count != _saved.Length || ChangedTokens(current) > 0);

    /// <summary>Records a successful save, or the session just loaded from the store.</summary>
    public void MarkSaved(IReadOnlyList<int> tokens, DateTime nowUtc)
    {
        _saved = [.. tokens];
        _savedAtUtc = nowUtc;
    }
}
