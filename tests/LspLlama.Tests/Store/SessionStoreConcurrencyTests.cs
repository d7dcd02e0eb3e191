using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class SessionStoreConcurrencyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Two_servers_saving_one_workspace_never_leave_a_damaged_file()
    {
        // Two store instances stand for two servers; a third keeps loading while they save.
        const int savesEach = 12;
        Dictionary<int, Expected> bySeed = Enumerable.Range(1, 2 * savesEach)
            .ToDictionary(seed => seed, seed => StoreData.Snapshot(seed, stateBytes: 150_000 + seed * 1000, checkpoints: 2));
        StoreOptions options = new(_folder.Path);
        using CancellationTokenSource done = new();
        int loads = 0;

        Task Writer(int parity) => Task.Run(() =>
        {
            SessionStore store = new(options, _log);
            foreach (int seed in bySeed.Keys.Where(s => s % 2 == parity))
            {
                Assert.True(store.Save(StoreData.Key(), bySeed[seed].Snapshot));

                // Let the reader load at least once between two saves of this writer, so loads
                // overlap the other writer's saves.
                int seen = Volatile.Read(ref loads);
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref loads) > seen, TimeSpan.FromSeconds(10)));
            }
        });

        Task reader = Task.Run(() =>
        {
            SessionStore store = new(options, _log);
            while (!done.IsCancellationRequested)
            {
                using StoredSession? stored = store.TryOpen(StoreData.Key());
                if (stored is null)
                {
                    continue;
                }

                // Tokens say which save this is; the state must be that same save's state.
                Expected expected = bySeed.Values.Single(e => e.Tokens.Length == stored.Tokens.Count);
                Assert.Equal(expected.Tokens, stored.Tokens);
                Assert.Equal(expected.State, StoreData.ReadState(stored));
                Assert.Equal(expected.Checkpoints[1], stored.ReadCheckpointBytes(1));
                Interlocked.Increment(ref loads);
            }
        });

        await Task.WhenAll(Writer(0), Writer(1));
        await done.CancelAsync();
        await reader;

        Assert.Empty(_log.Warnings);
        Assert.True(loads >= savesEach);
        string file = Assert.Single(StoreData.SessionFiles(_folder.Path));
        using StoredSession last = new SessionStore(options, _log).TryOpen(StoreData.Key())!;
        Assert.Contains(bySeed.Values, e => e.Tokens.SequenceEqual(last.Tokens));
        Assert.EndsWith(SessionFileFormat.FileExtension, file, StringComparison.Ordinal);
    }
}
