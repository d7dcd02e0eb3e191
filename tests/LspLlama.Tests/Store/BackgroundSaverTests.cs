using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class BackgroundSaverTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Saves_off_the_caller_and_refuses_a_second_save_meanwhile()
    {
        SessionStore store = new(new StoreOptions(_folder.Path), _log);
        BackgroundSaver saver = new(store);
        using ManualResetEventSlim writing = new();
        using ManualResetEventSlim proceed = new();
        byte[] state = StoreData.Bytes(1000, 1);
        SessionSnapshot blocking = new(new[] { 1, 2, 3 }, new BlobSource(state.Length, s =>
        {
            writing.Set();
            Assert.True(proceed.Wait(TimeSpan.FromSeconds(10)));
            s.Write(state);
        }), []);
        int released = 0;

        Assert.True(saver.TryStart(StoreData.Key(), blocking, () => Interlocked.Increment(ref released)));
        Assert.True(writing.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(saver.IsBusy);

        // A second request while writing is refused, and its buffers are released at once.
        Assert.False(saver.TryStart(StoreData.Key(), StoreData.Snapshot(seed: 2).Snapshot, () => Interlocked.Increment(ref released)));
        Assert.Equal(1, released);

        proceed.Set();
        Assert.True(await saver.WaitAsync());
        Assert.Equal(2, released);
        Assert.False(saver.IsBusy);
        using StoredSession stored = store.TryOpen(StoreData.Key())!;
        Assert.Equal(state, StoreData.ReadState(stored));
    }

    [Fact]
    public async Task Waiting_with_nothing_started_returns_null()
    {
        BackgroundSaver saver = new(new SessionStore(new StoreOptions(_folder.Path), _log));
        Assert.Null(await saver.WaitAsync());
    }
}
