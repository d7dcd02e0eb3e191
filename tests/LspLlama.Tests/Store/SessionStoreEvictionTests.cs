using LspLlama.Store;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class SessionStoreEvictionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    private SessionStore NewStore() => new(new StoreOptions(_folder.Path, MaxDiskMiB: 1), _log);

    private string Save(string workspace, TimeSpan age)
    {
        SessionStore store = NewStore();
        SessionKey key = StoreData.Key(workspace: workspace);
        Assert.True(store.Save(key, StoreData.Snapshot(seed: workspace.Length, stateBytes: 300_000, checkpoints: 0).Snapshot));
        string path = store.PathFor(key);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    [Fact]
    public void The_least_recently_used_session_is_evicted_first()
    {
        string a = Save("/a", TimeSpan.FromHours(3));
        string b = Save("/bb", TimeSpan.FromHours(2));
        string c = Save("/ccc", TimeSpan.FromHours(1));

        // Loading /a makes it the most recently used, though it was saved first.
        NewStore().TryOpen(StoreData.Key(workspace: "/a"))!.Dispose();
        string d = Save("/dddd", TimeSpan.Zero);

        Assert.True(File.Exists(a));
        Assert.False(File.Exists(b));
        Assert.True(File.Exists(c));
        Assert.True(File.Exists(d));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains(b, StringComparison.Ordinal) && e.Message.Contains("Evicted", StringComparison.Ordinal));
        Assert.True(StoreData.SessionFiles(_folder.Path).Sum(f => new FileInfo(f).Length) <= 1 << 20);
    }

    [Fact]
    public void Eviction_goes_on_until_the_store_fits()
    {
        string a = Save("/a", TimeSpan.FromHours(3));
        string b = Save("/bb", TimeSpan.FromHours(2));
        string c = Save("/ccc", TimeSpan.FromHours(1));
        SessionStore store = NewStore();

        // A session of 900 kB leaves room for nothing else under 1 MiB.
        Assert.True(store.Save(StoreData.Key(workspace: "/big"), StoreData.Snapshot(seed: 5, stateBytes: 900_000, checkpoints: 0).Snapshot));

        Assert.False(File.Exists(a) || File.Exists(b) || File.Exists(c));
        Assert.Equal([store.PathFor(StoreData.Key(workspace: "/big"))], StoreData.SessionFiles(_folder.Path));
    }
}
