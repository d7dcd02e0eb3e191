using LspLlama.Core.Session;
using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

/// <summary>The checkpoints' disk tier on a real folder: background writes, checked reads, modes, capacity, clean-up.</summary>
public sealed class CheckpointDiskTierTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("lspllama-tier-").FullName;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Fact]
    public void A_spilled_checkpoint_reads_back_exactly_and_its_buffer_comes_back()
    {
        using CheckpointDiskTier tier = Create(1 << 20);
        byte[] state = State(5000, seed: 3);
        SpilledCheckpoint c = tier.Spill(42, state, 4000)!;

        byte[] read = new byte[4000];
        Assert.True(tier.TryRead(c, read));
        Assert.Equal(state.AsSpan(0, 4000).ToArray(), read);

        List<byte[]> back = WaitForWritten(tier, 1);
        Assert.Same(state, back[0]);
        Assert.True(tier.TryRead(c, read), "read from the file once written");
        Assert.Equal(state.AsSpan(0, 4000).ToArray(), read);
    }

    [Fact]
    public void Taking_the_written_buffers_can_wait_for_a_write_in_flight()
    {
        using CheckpointDiskTier tier = Create(64 << 20);
        List<byte[]> back = [];
        tier.TakeWritten(back, TimeSpan.FromMilliseconds(50));
        Assert.Empty(back); // nothing in flight: the wait times out

        byte[] state = State(16 << 20, seed: 5);
        tier.Spill(7, state, state.Length);
        tier.TakeWritten(back, TimeSpan.FromSeconds(30));
        Assert.Same(state, Assert.Single(back));
    }

    [Fact]
    public void Files_are_the_users_alone_and_go_with_the_tier()
    {
        string folder;
        using (CheckpointDiskTier tier = Create(1 << 20))
        {
            folder = tier.Folder;
            tier.Spill(1, State(100, 1), 100);
            WaitForWritten(tier, 1);
            string file = Assert.Single(Directory.GetFiles(folder));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            }
        }

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void A_damaged_file_is_refused_and_dropped()
    {
        using CheckpointDiskTier tier = Create(1 << 20);
        SpilledCheckpoint c = tier.Spill(7, State(2048, 9), 2048)!;
        WaitForWritten(tier, 1);
        string file = Assert.Single(Directory.GetFiles(tier.Folder));
        byte[] bytes = File.ReadAllBytes(file);
        bytes[^100] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        Assert.False(tier.TryRead(c, new byte[2048]));
        Assert.False(tier.TryRead(c, new byte[2048]), "a refused checkpoint is gone");
        Assert.Equal(0, tier.Bytes);
        Assert.Empty(Directory.GetFiles(tier.Folder));
    }

    [Fact]
    public void When_full_the_oldest_makes_room_and_a_dropped_one_is_deleted()
    {
        using CheckpointDiskTier tier = Create(2 * 1100);
        SpilledCheckpoint first = Spilled(tier, 10);
        SpilledCheckpoint second = Spilled(tier, 20);
        SpilledCheckpoint third = Spilled(tier, 30);

        Assert.False(tier.TryRead(first, new byte[1000]), "the oldest made room");
        Assert.True(tier.TryRead(second, new byte[1000]));
        tier.Drop(second);
        Assert.False(tier.TryRead(second, new byte[1000]));
        Assert.True(tier.TryRead(third, new byte[1000]));
        Assert.Single(Directory.GetFiles(tier.Folder));
    }

    [Fact]
    public void A_checkpoint_larger_than_the_tier_is_refused()
    {
        using CheckpointDiskTier tier = Create(1000);
        Assert.Null(tier.Spill(1, State(2000, 1), 2000));
    }

    [Fact]
    public void Folders_left_by_dead_processes_are_removed()
    {
        string abandoned = Path.Combine(_parent, "checkpoints", "999999999-0123");
        Directory.CreateDirectory(abandoned);
        File.WriteAllText(Path.Combine(abandoned, "1.ckpt"), "x");
        string other = Path.Combine(_parent, "checkpoints", "not-a-tier");
        Directory.CreateDirectory(other);

        using CheckpointDiskTier tier = Create(1000);

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(other), "only folders named like a tier's are touched");
    }

    [Fact]
    public void A_folder_others_may_write_is_not_used()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string open = Path.Combine(_parent, "open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF); // 0777

        Assert.Null(CheckpointDiskTier.Create(open, 1000, out string? problem));
        Assert.Contains("others may write", problem, StringComparison.Ordinal);
    }

    private CheckpointDiskTier Create(long capacity) =>
        CheckpointDiskTier.Create(Path.Combine(_parent, "checkpoints"), capacity, out string? problem) ?? throw new InvalidOperationException(problem);

    private static SpilledCheckpoint Spilled(CheckpointDiskTier tier, int position)
    {
        SpilledCheckpoint c = tier.Spill(position, State(1000, position), 1000)!;
        WaitForWritten(tier, 1);
        return c;
    }

    private static List<byte[]> WaitForWritten(CheckpointDiskTier tier, int count)
    {
        List<byte[]> back = [];
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (back.Count < count && DateTime.UtcNow < deadline)
        {
            tier.TakeWritten(back);
            Thread.Sleep(5);
        }

        Assert.Equal(count, back.Count);
        return back;
    }

    private static byte[] State(int length, int seed)
    {
        byte[] b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }
}
