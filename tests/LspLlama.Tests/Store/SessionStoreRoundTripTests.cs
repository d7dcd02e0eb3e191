using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class SessionStoreRoundTripTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    private SessionStore NewStore(long maxMiB = 64) => new(new StoreOptions(_folder.Path, maxMiB), _log);

    [Fact]
    public void Saved_session_comes_back_byte_for_byte()
    {
        Expected expected = StoreData.Snapshot(seed: 1);
        Assert.True(NewStore().Save(StoreData.Key(), expected.Snapshot));

        // A new instance, as after a restart.
        using StoredSession? stored = NewStore().TryOpen(StoreData.Key());

        Assert.NotNull(stored);
        Assert.Equal(expected.Tokens, stored.Tokens);
        Assert.Equal(expected.State.Length, stored.StateLength);
        Assert.Equal(expected.State, StoreData.ReadState(stored, chunk: 4093));
        Assert.Equal([100, 200, 300], stored.Checkpoints.Select(c => c.Position));
        Assert.Equal([99, 199, 299], stored.Checkpoints.Select(c => c.PosMin));
        Assert.Equal([99, 199, 299], stored.Checkpoints.Select(c => c.PosMax));
        for (int i = 0; i < expected.Checkpoints.Length; i++)
        {
            Assert.Equal(expected.Checkpoints[i], stored.ReadCheckpointBytes(i));
        }

        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public void Blobs_can_be_read_in_any_order_and_partially()
    {
        Expected expected = StoreData.Snapshot(seed: 2);
        SessionStore store = NewStore();
        store.Save(StoreData.Key(), expected.Snapshot);
        using StoredSession stored = store.TryOpen(StoreData.Key())!;

        Assert.Equal(expected.Checkpoints[2], stored.ReadCheckpointBytes(2));
        Assert.Equal(expected.Checkpoints[0], stored.ReadCheckpointBytes(0));

        // A consumer that stops early still gets a verified answer: the rest is hashed for it.
        byte[] head = new byte[100];
        Assert.True(stored.TryReadState(s => s.ReadExactly(head)));
        Assert.Equal(expected.State.AsSpan(0, 100).ToArray(), head);
        Assert.Equal(expected.State, StoreData.ReadState(stored));
    }

    [Fact]
    public void Empty_session_round_trips()
    {
        SessionSnapshot empty = new(Array.Empty<int>(), BlobSource.FromBytes(Array.Empty<byte>()), []);
        SessionStore store = NewStore();
        Assert.True(store.Save(StoreData.Key(), empty));

        using StoredSession stored = store.TryOpen(StoreData.Key())!;
        Assert.Empty(stored.Tokens);
        Assert.Empty(stored.Checkpoints);
        Assert.Equal(Array.Empty<byte>(), StoreData.ReadState(stored));
    }

    [Fact]
    public void Large_state_is_streamed_without_a_managed_copy()
    {
        // 24 MiB of state written and read through the store must not allocate anything near its
        // size: the bytes go from the caller's buffer to the file and back in chunks.
        byte[] state = StoreData.Bytes(24 << 20, 4);
        SessionStore store = NewStore(maxMiB: 256);
        SessionSnapshot snapshot = new(new[] { 1 }, BlobSource.FromBytes(state), []);
        store.Save(StoreData.Key(), snapshot);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(store.Save(StoreData.Key(), snapshot));
        long saveAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        byte[] target = new byte[state.Length];
        using StoredSession stored = store.TryOpen(StoreData.Key())!;
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(stored.TryReadState(s => s.ReadExactly(target)));
        long readAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(saveAllocated < 4 << 20, $"save allocated {saveAllocated} bytes");
        Assert.True(readAllocated < 4 << 20, $"read allocated {readAllocated} bytes");
        Assert.Equal(state, target);
    }

    [Fact]
    public void A_new_save_replaces_the_previous_one()
    {
        SessionStore store = NewStore();
        store.Save(StoreData.Key(), StoreData.Snapshot(seed: 5).Snapshot);
        Expected second = StoreData.Snapshot(seed: 6, checkpoints: 1);
        Assert.True(store.Save(StoreData.Key(), second.Snapshot));

        using StoredSession stored = store.TryOpen(StoreData.Key())!;
        Assert.Equal(second.Tokens, stored.Tokens);
        Assert.Equal(second.State, StoreData.ReadState(stored));
        Assert.Single(StoreData.SessionFiles(_folder.Path));
    }

    [Fact]
    public void Workspaces_and_models_get_separate_files()
    {
        SessionStore store = NewStore();
        store.Save(StoreData.Key(workspace: "/a"), StoreData.Snapshot(seed: 7, stateBytes: 10).Snapshot);
        store.Save(StoreData.Key(workspace: "/b"), StoreData.Snapshot(seed: 8, stateBytes: 10).Snapshot);
        store.Save(StoreData.Key(workspace: "/a", model: "/models/other.gguf"), StoreData.Snapshot(seed: 9, stateBytes: 10).Snapshot);

        Assert.Equal(3, StoreData.SessionFiles(_folder.Path).Length);
        using StoredSession b = store.TryOpen(StoreData.Key(workspace: "/b"))!;
        Assert.Equal(StoreData.Snapshot(seed: 8, stateBytes: 10).Tokens, b.Tokens);
    }

    [Fact]
    public void Missing_session_is_null_without_a_warning()
    {
        Assert.Null(NewStore().TryOpen(StoreData.Key()));
        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public void Folder_and_files_are_readable_by_the_user_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A folder the store creates is the user's alone.
        NewStore().Save(StoreData.Key(), StoreData.Snapshot(seed: 10, stateBytes: 100).Snapshot);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder.Path));
        string file = Assert.Single(StoreData.SessionFiles(_folder.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void A_source_that_writes_fewer_bytes_than_declared_is_not_saved()
    {
        SessionStore store = NewStore();
        Expected good = StoreData.Snapshot(seed: 11);
        store.Save(StoreData.Key(), good.Snapshot);

        SessionSnapshot shortState = new(new[] { 1 }, new BlobSource(1000, s => s.Write(new byte[999])), []);
        Assert.False(store.Save(StoreData.Key(), shortState));
        SessionSnapshot longState = new(new[] { 1 }, new BlobSource(1000, s => s.Write(new byte[1001])), []);
        Assert.False(store.Save(StoreData.Key(), longState));

        using StoredSession stored = store.TryOpen(StoreData.Key())!;
        Assert.Equal(good.State, StoreData.ReadState(stored));
        Assert.Equal(2, _log.Warnings.Count());
    }
}
