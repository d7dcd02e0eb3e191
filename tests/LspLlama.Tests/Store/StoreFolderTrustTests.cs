using System.Diagnostics;
using LspLlama.Native;
using LspLlama.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Store;

/// <summary>
/// The store uses only a folder of this user that others cannot write to, never changes the mode
/// of a folder it did not create, and reads only stored files inside the workspace. The tests run
/// as root here too: the owner check is tested with a stat that says what the test wants, and with
/// a folder given to another uid by chown where the test may do that.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StoreFolderTrustTests : IDisposable
{
    private const int UserOnly = 0x1C0; // 0700
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1000u, 0x1C0, null)]
    [InlineData(1000u, 0x1ED, null)] // 0755
    [InlineData(1001u, 0x1C0, "belongs to user 1001")]
    [InlineData(1000u, 0x1FF, "others may write to it (mode 777)")]
    [InlineData(1000u, 0x1F8, "others may write to it (mode 770)")]
    [InlineData(1000u, 0x140, "its owner may not write to it (mode 500)")]
    public void Only_a_folder_of_this_user_that_others_cannot_write_is_trusted(uint owner, int mode, string? problem)
    {
        var trust = new StoreFolderTrust(_ => new PathStat(PathStat.DirectoryType, mode, owner, 4096), user: 1000);
        if (problem is null)
        {
            Assert.Null(trust.Problem("/any"));
        }
        else
        {
            Assert.Contains(problem, trust.Problem("/any"), StringComparison.Ordinal);
        }

        Assert.Null(new StoreFolderTrust(_ => null, user: 1000).Problem("/missing"));
        Assert.Contains("not a folder", new StoreFolderTrust(_ => new PathStat(PathStat.RegularFile, UserOnly, 1000, 1), 1000).Problem("/f"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_stat_sees_this_users_own_folder_and_its_mode()
    {
        Assert.True(OperatingSystem.IsLinux(), "these checks need statx");
        Directory.CreateDirectory(_folder.Path);
        File.SetUnixFileMode(_folder.Path, (UnixFileMode)UserOnly);
        PathStat stat = PosixStat.Of(_folder.Path)!.Value;
        Assert.True(stat.IsDirectory);
        Assert.Equal(PosixStat.EffectiveUser, stat.Owner);
        Assert.Equal(UserOnly, stat.Permissions);
        Assert.Null(StoreFolderTrust.System.Problem(_folder.Path));
    }

    [Fact]
    public void A_folder_writable_by_all_is_refused_with_a_warning_and_a_planted_session_is_not_read()
    {
        Expected planted = StoreData.Snapshot(seed: 3, stateBytes: 100);
        Assert.True(NewStore().Save(StoreData.Key(), planted.Snapshot));
        File.SetUnixFileMode(_folder.Path, (UnixFileMode)0x1FF);

        SessionStore store = NewStore();
        Assert.Null(store.TryOpen(StoreData.Key()));
        Assert.False(store.Save(StoreData.Key(), planted.Snapshot));
        Assert.Contains(_log.Warnings, w => w.Contains("others may write to it", StringComparison.Ordinal));
        Assert.Single(StoreData.SessionFiles(_folder.Path)); // refused, not removed: it is not the store's to judge
        Assert.Equal(0x1FF, (int)File.GetUnixFileMode(_folder.Path));

    }

    [Theory]
    [InlineData(0x1FF, "others may write to it")]
    [InlineData(0x140, "its owner may not write to it")]
    public async Task The_server_creates_nothing_in_a_store_folder_it_may_not_use(int mode, string why)
    {
        // The checkpoints' disk tier lives in the store's folder: refused with it, also for root.
        Directory.CreateDirectory(_folder.Path);
        File.SetUnixFileMode(_folder.Path, (UnixFileMode)mode);
        try
        {
            await using (var client = new LspLlama.Tests.Engine.EngineClient())
            {
                Dictionary<string, object?> settings = LspLlama.Tests.Engine.EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid));
                settings["store"] = new { enabled = true, directory = _folder.Path };
                await client.StartWithModelAsync(settings);
                await client.OpenAsync("file:///a.py", "x = 1\n");
                await client.InlineAsync("file:///a.py", 0, 5);
                await client.RequestAsync<System.Text.Json.JsonElement?>(LspLlama.Protocol.LspMethods.Shutdown, null);
                Assert.Contains($"checkpoint folder {Path.Combine(_folder.Path, "checkpoints")} is not used", client.Log.ToString(), StringComparison.Ordinal);
                Assert.Contains(why, client.Log.ToString(), StringComparison.Ordinal);
            }

            Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
            Assert.Equal(mode, (int)File.GetUnixFileMode(_folder.Path));
        }
        finally
        {
            File.SetUnixFileMode(_folder.Path, (UnixFileMode)UserOnly);
        }
    }

    [Fact]
    public void A_folder_owned_by_another_user_is_refused()
    {
        Assert.True(NewStore().Save(StoreData.Key(), StoreData.Snapshot(seed: 4, stateBytes: 100).Snapshot));
        if (PosixStat.EffectiveUser == 0)
        {
            // Root may give the folder away; an ordinary user is refused by the fake-stat test above.
            using Process chown = Process.Start("chown", ["54321", _folder.Path])!;
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
            Assert.Null(NewStore().TryOpen(StoreData.Key()));
            Assert.Contains(_log.Warnings, w => w.Contains("belongs to user 54321", StringComparison.Ordinal));
        }
        else
        {
            var other = new StoreFolderTrust(path => PosixStat.Of(path) is { } s ? s with { Owner = s.Owner + 1 } : null, PosixStat.EffectiveUser);
            Assert.Null(new SessionStore(new StoreOptions(_folder.Path, 64), _log, trust: other).TryOpen(StoreData.Key()));
            Assert.Contains(_log.Warnings, w => w.Contains("belongs to user", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_modes_of_folders_the_store_did_not_create_stay_as_they_are()
    {
        // A link to a folder of the user's: the target keeps 0755.
        string target = Path.Combine(Path.GetDirectoryName(_folder.Path)!, Path.GetFileName(_folder.Path) + "-target");
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)0x1ED);
        string link = Path.Combine(Path.GetDirectoryName(_folder.Path)!, Path.GetFileName(_folder.Path) + "-link");
        File.CreateSymbolicLink(link, target);
        try
        {
            Assert.True(new SessionStore(new StoreOptions(link, 64), _log).Save(StoreData.Key(), StoreData.Snapshot(seed: 5, stateBytes: 100).Snapshot));
            Assert.Equal(0x1ED, (int)File.GetUnixFileMode(target));

            // A folder the user made read-only stays read-only and unwritten, also for root.
            File.SetUnixFileMode(target, (UnixFileMode)0x140); // 0500
            string[] before = Directory.GetFileSystemEntries(target);
            Assert.False(new SessionStore(new StoreOptions(link, 64), _log).Save(StoreData.Key(), StoreData.Snapshot(seed: 6, stateBytes: 100).Snapshot));
            Assert.Equal(before, Directory.GetFileSystemEntries(target));
            Assert.Equal(0x140, (int)File.GetUnixFileMode(target));
            Assert.Contains(_log.Warnings, w => w.Contains("its owner may not write to it", StringComparison.Ordinal));
        }
        finally
        {
            File.SetUnixFileMode(target, (UnixFileMode)UserOnly);
            File.Delete(link);
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Only_stored_files_inside_the_workspace_are_read()
    {
        StoredDocument[] stored =
        [
            new("file:///work/space/a.py", false),
            new("file:///work/space/sub/b.py", true),
            new("file:///work/spaceship/c.py", false),
            new("file:///etc/passwd", false),
            new("file:///work/space/../secret.txt", false),
            new("untitled:Untitled-1", false),
        ];

        IReadOnlyList<StoredDocument> inside = WorkspaceDocuments.Inside(stored, "/work/space", out int refused);
        Assert.Equal(["file:///work/space/a.py", "file:///work/space/sub/b.py", "untitled:Untitled-1"], inside.Select(d => d.Uri));
        Assert.Equal(3, refused);
        Assert.Equal(["untitled:Untitled-1"], WorkspaceDocuments.Inside(stored, "", out _).Select(d => d.Uri));
    }

    private SessionStore NewStore() => new(new StoreOptions(_folder.Path, 64), _log);
}
