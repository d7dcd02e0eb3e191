using System.Collections.Concurrent;
using System.Diagnostics;
using LspLlama.Core.Session;

namespace LspLlama.Store;

/// <summary>
/// The checkpoints' second tier: checkpoints the memory budget evicts are written, in a background
/// thread, to one file each in a folder of this process (0700, files 0600), and read back when a
/// rollback needs one. Each file carries the checkpoint's position, length and XxHash64, so a
/// damaged or foreign file is refused and costs only a re-decode. When full, the oldest spilled
/// checkpoint makes room. The folder is removed on dispose; folders left by processes that died
/// are removed when the next tier starts.
/// </summary>
public sealed class CheckpointDiskTier : ICheckpointSpill
{
    /// <summary>Writes allowed to wait: a writer further behind refuses new checkpoints rather than holding their memory.</summary>
    public const int MaxPendingWrites = 2;

    private const int HeaderBytes = CheckpointFiles.HeaderBytes;

    // Until a read is measured: a modest disk through the page cache.
    private const double InitialReadBytesPerSecond = 1e9;

    private readonly string _folder;
    private readonly long _capacity;
    private readonly object _gate = new();
    private readonly Dictionary<long, Entry> _entries = [];
    private readonly LinkedList<Entry> _oldestFirst = [];
    private readonly BlockingCollection<Entry> _queue = new(new ConcurrentQueue<Entry>());
    private readonly ConcurrentQueue<byte[]> _written = new();
    private readonly Thread _writer;
    private long _nextId;
    private long _bytes;
    private double _readBytesPerSecond = InitialReadBytesPerSecond;

    private CheckpointDiskTier(string folder, long capacityBytes)
    {
        _folder = folder;
        _capacity = capacityBytes;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "lspllama checkpoint writer" };
        _writer.Start();
    }

    /// <summary>The folder this tier writes to.</summary>
    public string Folder => _folder;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Files written so far (for tests and figures).</summary>
    public int FilesWritten { get; private set; }

    /// <summary>Writes that failed (disk full, folder gone): their checkpoints were lost, nothing else.</summary>
    public int FailedWrites { get; private set; }

    /// <summary>
    /// A tier of at most <paramref name="capacityBytes"/> in a new folder under <paramref name="parent"/>,
    /// which must be this user's and not writable by others (<see cref="StoreFolderTrust"/>).
    /// Null with the reason when the folder cannot be used: the session then simply has no second tier.
    /// </summary>
    public static CheckpointDiskTier? Create(string parent, long capacityBytes, out string? problem)
    {
        problem = null;
        try
        {
            CheckpointFiles.CreateUserOnly(parent);
            if (StoreFolderTrust.System.Problem(parent) is string why)
            {
                problem = $"the checkpoint folder {parent} is not used: {why}";
                return null;
            }

            CheckpointFiles.RemoveAbandoned(parent);
            string folder = Path.Combine(parent, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
            CheckpointFiles.CreateUserOnly(folder);
            return new CheckpointDiskTier(folder, capacityBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"the checkpoint folder {parent} cannot be used: {ex.Message}";
            return null;
        }
    }

    public SpilledCheckpoint? Spill(int position, byte[] buffer, int length)
    {
        if (length <= 0 || length + HeaderBytes > _capacity || _queue.Count >= MaxPendingWrites)
        {
            return null;
        }

        Entry entry;
        lock (_gate)
        {
            // Room for the newest: the oldest spilled checkpoint goes first.
            while (_bytes + length + HeaderBytes > _capacity && _oldestFirst.First is { } oldest)
            {
                Forget(oldest.Value);
            }

            long id = _nextId++;
            entry = new Entry(new SpilledCheckpoint(id, position, length), Path.Combine(_folder, $"{id}.ckpt")) { Pending = buffer };
            entry.Node = _oldestFirst.AddLast(entry);
            _entries.Add(entry.Checkpoint.Id, entry);
            _bytes += length + HeaderBytes;
        }

        _queue.Add(entry);
        return entry.Checkpoint;
    }

    public bool TryRead(SpilledCheckpoint checkpoint, Span<byte> destination)
    {
        Entry? entry;
        byte[]? pending;
        lock (_gate)
        {
            if (!_entries.TryGetValue(checkpoint.Id, out entry) || entry.Failed)
            {
                return false;
            }

            pending = entry.Pending;
        }

        if (pending is not null)
        {
            // Still being written: the buffer is intact and not reused before the session takes it back.
            pending.AsSpan(0, checkpoint.Length).CopyTo(destination);
            return true;
        }

        long start = Stopwatch.GetTimestamp();
        bool read = CheckpointFiles.ReadFile(entry.Path, checkpoint, destination[..checkpoint.Length]);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (!read)
        {
            Drop(checkpoint);
            return false;
        }

        if (seconds > 0)
        {
            // A moving average: the page cache makes reads of recent files much faster than the disk.
            double observed = checkpoint.Length / seconds;
            _readBytesPerSecond = (0.7 * _readBytesPerSecond) + (0.3 * observed);
        }

        return true;
    }

    public void Drop(SpilledCheckpoint checkpoint)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(checkpoint.Id, out Entry? entry))
            {
                Forget(entry);
            }
        }
    }

    public void TakeWritten(List<byte[]> buffers, TimeSpan wait = default)
    {
        if (wait > TimeSpan.Zero && _written.IsEmpty)
        {
            lock (_gate)
            {
                if (_written.IsEmpty)
                {
                    Monitor.Wait(_gate, wait);
                }
            }
        }

        while (_written.TryDequeue(out byte[]? buffer))
        {
            buffers.Add(buffer);
        }
    }

    public double ReadSeconds(long bytes) => bytes / _readBytesPerSecond;

    public void Dispose()
    {
        _queue.CompleteAdding();
        _writer.Join();
        lock (_gate)
        {
            foreach (Entry entry in _entries.Values.ToList())
            {
                Forget(entry);
            }
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed by the next tier that starts, as an abandoned folder.
        }

        _queue.Dispose();
    }

    /// <summary>Removes a checkpoint from the tier; a pending write then skips it and hands its buffer back.</summary>
    private void Forget(Entry entry)
    {
        _entries.Remove(entry.Checkpoint.Id);
        _oldestFirst.Remove(entry.Node!);
        _bytes -= entry.Checkpoint.Length + HeaderBytes;
        entry.Dropped = true;
        if (entry.Pending is null)
        {
            CheckpointFiles.TryDelete(entry.Path);
        }
    }

    private void WriteLoop()
    {
        foreach (Entry entry in _queue.GetConsumingEnumerable())
        {
            byte[] buffer = entry.Pending!;
            bool dropped;
            lock (_gate)
            {
                dropped = entry.Dropped;
            }

            bool ok = dropped || CheckpointFiles.WriteFile(entry.Path, entry.Checkpoint, buffer);
            lock (_gate)
            {
                entry.Pending = null;
                if (entry.Dropped)
                {
                    CheckpointFiles.TryDelete(entry.Path);
                }
                else if (ok)
                {
                    FilesWritten++;
                }
                else
                {
                    entry.Failed = true;
                    FailedWrites++;
                    CheckpointFiles.TryDelete(entry.Path);
                }
            }

            lock (_gate)
            {
                _written.Enqueue(buffer);
                Monitor.PulseAll(_gate);
            }
        }
    }

    private sealed class Entry(SpilledCheckpoint checkpoint, string path)
    {
        public SpilledCheckpoint Checkpoint { get; } = checkpoint;

        public string Path { get; } = path;

        public LinkedListNode<Entry>? Node { get; set; }

        /// <summary>The checkpoint's buffer until its file is written.</summary>
        public byte[]? Pending { get; set; }

        public bool Dropped { get; set; }

        public bool Failed { get; set; }
    }
}
