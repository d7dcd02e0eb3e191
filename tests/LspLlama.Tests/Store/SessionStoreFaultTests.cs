using System.Buffers.Binary;
using System.IO.Hashing;
using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class SessionStoreFaultTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    private SessionStore NewStore(IStoreStreams? streams = null, long maxMiB = 64) => new(new StoreOptions(_folder.Path, maxMiB), _log, streams);

    private (string Path, Expected Expected) SaveOne(int seed = 1)
    {
        Expected expected = StoreData.Snapshot(seed, stateBytes: 200_000, checkpoints: 2);
        SessionStore store = NewStore();
        Assert.True(store.Save(StoreData.Key(), expected.Snapshot));
        return (store.PathFor(StoreData.Key()), expected);
    }

    /// <summary>Opens and reads everything; true only if every part was accepted.</summary>
    private static bool ReadsCompletely(SessionStore store, Expected? expected = null)
    {
        using StoredSession? stored = store.TryOpen(StoreData.Key());
        if (stored is null)
        {
            return false;
        }

        byte[]? state = StoreData.ReadState(stored);
        bool checkpointsOk = Enumerable.Range(0, stored.Checkpoints.Count).All(i => stored.ReadCheckpointBytes(i) is not null);
        if (state is not null && checkpointsOk && expected is not null)
        {
            Assert.Equal(expected.State, state);
            Assert.Equal(expected.Tokens, stored.Tokens);
        }

        return state is not null && checkpointsOk;
    }

    private void AssertRejectedAndRemoved(string path, string because)
    {
        Assert.False(File.Exists(path), "the damaged file should have been removed");
        string warning = Assert.Single(_log.Warnings);
        Assert.Contains(because, warning, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public void A_flipped_bit_in_any_region_is_caught_and_the_file_removed(string region)
    {
        (string path, Expected expected) = SaveOne();
        byte[] bytes = File.ReadAllBytes(path);
        SessionFileLayout layout = new(bytes, expected.State.Length, [.. expected.Checkpoints.Select(c => (long)c.Length)]);
        (long start, long length) = layout.Regions[region];
        bytes[start + length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        Assert.False(ReadsCompletely(NewStore()));

        AssertRejectedAndRemoved(path, "Ignoring the stored session");
    }

    public static TheoryData<string> Regions() => [.. SessionFileLayout.RegionNames];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0001)]
    [InlineData(0.001)]
    [InlineData(0.005)]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.95)]
    [InlineData(0.99999)]
    public void A_truncated_file_is_caught_before_any_blob_is_read(double keptFraction)
    {
        (string path, _) = SaveOne();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keptFraction)]);

        Assert.Null(NewStore().TryOpen(StoreData.Key()));

        AssertRejectedAndRemoved(path, "truncated");
    }

    [Fact]
    public void Truncation_at_every_region_boundary_is_caught()
    {
        (string path, Expected expected) = SaveOne();
        byte[] bytes = File.ReadAllBytes(path);
        SessionFileLayout layout = new(bytes, expected.State.Length, [.. expected.Checkpoints.Select(c => (long)c.Length)]);
        foreach ((string region, (long start, _)) in layout.Regions.Where(r => r.Value.Start > 0))
        {
            File.WriteAllBytes(path, bytes[..(int)start]);
            Assert.True(NewStore().TryOpen(StoreData.Key()) is null, $"cut at the start of the {region}");
            Assert.False(File.Exists(path));
        }

        Assert.Equal(layout.Regions.Count - 1, _log.Warnings.Count());
    }

    [Fact]
    public void Bytes_appended_to_a_file_make_it_unusable()
    {
        (string path, _) = SaveOne();
        File.AppendAllText(path, "garbage");

        Assert.Null(NewStore().TryOpen(StoreData.Key()));
        AssertRejectedAndRemoved(path, "damaged");
    }

    [Fact]
    public void A_file_of_another_model_is_ignored_and_removed()
    {
        (string path, _) = SaveOne();

        Assert.Null(NewStore().TryOpen(StoreData.Key(size: 999)));
        AssertRejectedAndRemoved(path, "another model");
    }

    [Fact]
    public void A_file_saved_with_other_context_settings_is_ignored_and_removed()
    {
        (string path, _) = SaveOne();
        SessionKey bigger = StoreData.Key() with { Settings = StoreData.Settings with { ContextSize = 8192 } };

        Assert.Null(NewStore().TryOpen(bigger));
        AssertRejectedAndRemoved(path, "other context settings");
    }

    [Fact]
    public void A_file_of_a_newer_format_version_is_ignored_and_removed()
    {
        (string path, _) = SaveOne();
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), SessionFileFormat.Version + 1);
        int hashed = 16 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(hashed), XxHash64.HashToUInt64(bytes.AsSpan(0, hashed)));
        File.WriteAllBytes(path, bytes);

        Assert.Null(NewStore().TryOpen(StoreData.Key()));
        AssertRejectedAndRemoved(path, "newer");
    }

    [Fact]
    public void A_file_that_is_not_a_session_is_ignored_and_removed()
    {
        (string path, _) = SaveOne();
        File.WriteAllText(path, "not a session at all, but long enough to hold a preamble");

        Assert.Null(NewStore().TryOpen(StoreData.Key()));
        AssertRejectedAndRemoved(path, "bad magic");
    }

    [Fact]
    public void A_writer_that_dies_mid_stream_leaves_the_previous_file_usable()
    {
        (string path, Expected previous) = SaveOne(seed: 1);

        // The state callback fails halfway, as a process killed or a native error would stop it.
        SessionSnapshot failing = new(new[] { 1, 2 }, new BlobSource(1_000_000, s =>
        {
            s.Write(new byte[500_000]);
            throw new InvalidOperationException("killed");
        }), []);
        Assert.False(NewStore().Save(StoreData.Key(), failing));

        Assert.True(ReadsCompletely(NewStore(), previous));
        Assert.Equal([path], StoreData.SessionFiles(_folder.Path));
        Assert.Contains("killed", Assert.Single(_log.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stray_temporary_file_from_a_killed_writer_does_not_matter()
    {
        (string path, Expected previous) = SaveOne(seed: 1);
        byte[] partial = File.ReadAllBytes(path)[..1000];
        string stale = $"{path}.99999.{Guid.NewGuid():N}.tmp";
        string fresh = $"{path}.99998.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(stale, partial);
        File.WriteAllBytes(fresh, partial);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - SessionStore.StaleTemporaryAge - TimeSpan.FromMinutes(1));

        Assert.True(ReadsCompletely(NewStore(), previous));

        // The next save cleans up the stale one; a fresh one may be another server's save in progress.
        Assert.True(NewStore().Save(StoreData.Key(), StoreData.Snapshot(seed: 2, stateBytes: 1000).Snapshot));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.Empty(_log.Warnings);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    [InlineData(250_000)]
    public void A_full_disk_keeps_the_previous_file(long capacity)
    {
        (string path, Expected previous) = SaveOne(seed: 1);

        Assert.False(NewStore(new FullDiskStreams(capacity)).Save(StoreData.Key(), StoreData.Snapshot(seed: 2, stateBytes: 300_000).Snapshot));

        Assert.Contains("No space left on device", Assert.Single(_log.Warnings), StringComparison.Ordinal);
        Assert.True(ReadsCompletely(NewStore(), previous));
        Assert.Equal([path], StoreData.SessionFiles(_folder.Path));
    }

    [Fact]
    public void A_session_larger_than_the_limit_is_not_saved()
    {
        (string path, Expected previous) = SaveOne(seed: 1);

        Assert.False(NewStore(maxMiB: 1).Save(StoreData.Key(), StoreData.Snapshot(seed: 2, stateBytes: 2 << 20).Snapshot));

        Assert.Contains("limit", Assert.Single(_log.Warnings), StringComparison.Ordinal);
        Assert.True(ReadsCompletely(NewStore(), previous));
        Assert.Equal([path], StoreData.SessionFiles(_folder.Path));
    }

    [Fact]
    public void A_damaged_file_replaced_meanwhile_by_another_server_is_not_removed()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Writing through the path while the reader holds the file needs Unix sharing.
        }

        (string path, Expected first) = SaveOne(seed: 1);
        using StoredSession stored = NewStore().TryOpen(StoreData.Key())!;

        // The opened file is damaged in place, then another server saves a new one over it.
        using (FileStream file = new(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            file.Position = file.Length / 2;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 1));
        }

        Expected second = StoreData.Snapshot(seed: 2, stateBytes: 1000);
        NewStore().Save(StoreData.Key(), second.Snapshot);

        Assert.Null(StoreData.ReadState(stored));
        Assert.Contains("checksum", Assert.Single(_log.Warnings), StringComparison.Ordinal);
        Assert.True(ReadsCompletely(NewStore(), second));
        Assert.NotEqual(first.Tokens, second.Tokens);
    }

    [Fact]
    public void An_unreadable_folder_is_a_warning_not_an_exception()
    {
        // The store folder is a file: nothing can be created in it.
        File.WriteAllText(_folder.Path, "in the way");
        try
        {
            Assert.False(NewStore().Save(StoreData.Key(), StoreData.Snapshot(seed: 1, stateBytes: 10).Snapshot));
            Assert.Null(NewStore().TryOpen(StoreData.Key()));
            Assert.NotEmpty(_log.Warnings);
        }
        finally
        {
            File.Delete(_folder.Path);
        }
    }
}
