namespace LspLlama.Store;

/// <summary>
/// Writes snapshots off the inference worker, one at a time. The worker copies the state out of
/// the context (memory speed), hands the copy here, and goes back to completions while the disk
/// takes its seconds. A save requested while one is running is refused rather than queued: the
/// next idle moment will offer a newer snapshot anyway.
/// </summary>
public sealed class BackgroundSaver(SessionStore store)
{
    private readonly Lock _gate = new();
    private Task<bool>? _running;

    /// <summary>True while a save is in progress.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _running is { IsCompleted: false };
            }
        }
    }

    /// <summary>
    /// Starts saving <paramref name="snapshot"/>; <paramref name="release"/> runs when the save is
    /// over, whatever its outcome, to free the buffers the snapshot reads from. False (and
    /// <paramref name="release"/> runs at once) when a save is already running.
    /// </summary>
    public bool TryStart(SessionKey key, SessionSnapshot snapshot, Action? release = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_running is { IsCompleted: false })
            {
                release?.Invoke();
                return false;
            }

            _running = Task.Run(
                () =>
                {
                    try
                    {
                        return store.Save(key, snapshot, cancellationToken);
                    }
                    finally
                    {
                        release?.Invoke();
                    }
                },
                CancellationToken.None);
            return true;
        }
    }

    /// <summary>Waits for the running save, if any (on shutdown); its result, or null when none ran.</summary>
    public Task<bool?> WaitAsync()
    {
        Task<bool>? running;
        lock (_gate)
        {
            running = _running;
        }

        return running is null ? Task.FromResult<bool?>(null) : Wrap(running);

        static async Task<bool?> Wrap(Task<bool> task) => await task.ConfigureAwait(false);
    }
}
