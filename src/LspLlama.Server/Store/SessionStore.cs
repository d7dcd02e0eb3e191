using LspLlama.ModelFiles;
using System.Diagnostics;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LspLlama.Store;

/// <summary>
/// Keeps one session file per workspace and model path in a per-user cache folder.
/// Nothing here throws to the caller: every failure is logged as a warning and reported as
/// false or null, because a lost cache only costs a prefill.
/// </summary>
/// <remarks>
/// Concurrency is last writer wins: every save writes its own uniquely named temporary file in
/// the same folder, flushes it to disk and renames it over the target, which is atomic. Readers
/// see the old or the new complete file, never a mix, and a process killed mid-write leaves only
/// a stray temporary file (removed once stale). A lock file was not used: a crashed server
/// would leave it behind, and the two servers' states are equally valid anyway.
/// The instance keeps no state between calls, so a background save may run while the worker
/// opens another session.
/// </remarks>
public sealed partial class SessionStore
{
    /// <summary>Temporary files younger than this may belong to a save in progress in another server.</summary>
    public static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromMinutes(30);

    private readonly StoreOptions _options;
    private readonly IStoreStreams _streams;
    private readonly TimeProvider _time;

    private readonly StoreFolderTrust _trust;
    private bool _distrustReported;

    public SessionStore(StoreOptions options, ILogger logger, IStoreStreams? streams = null, TimeProvider? time = null, StoreFolderTrust? trust = null)
    {
        _options = options;
        _trust = trust ?? StoreFolderTrust.System;
        Logger = logger;
        _streams = streams ?? FileStoreStreams.Instance;
        _time = time ?? TimeProvider.System;
        Directory = Path.GetFullPath(options.Directory ?? StoreLocation.DefaultDirectory());
    }

    public string Directory { get; }

    public ILogger Logger { get; }

    /// <summary>False, with one warning per store, when the folder is not the user's alone (see <see cref="StoreFolderTrust"/>).</summary>
    private bool Trusted()
    {
        if (_trust.Problem(Directory) is not { } problem)
        {
            return true;
        }

        if (!_distrustReported)
        {
            _distrustReported = true;
            Logger.Untrusted(Directory, problem);
        }

        return false;
    }

    /// <summary>
    /// One file per workspace and model path: a changed model file or changed settings replace
    /// the old session instead of leaving it to take disk space.
    /// </summary>
    public string PathFor(SessionKey key)
    {
        byte[] identity = Encoding.UTF8.GetBytes(key.Workspace + "\0" + key.Model.Path);
        return Path.Combine(Directory, Convert.ToHexStringLower(XxHash128.Hash(identity)) + SessionFileFormat.FileExtension);
    }

    /// <summary>Writes the snapshot atomically; false (with a warning) when it could not.</summary>
    public bool Save(SessionKey key, SessionSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        string path = PathFor(key);
        string? temporary = null;
        try
        {
            long started = Stopwatch.GetTimestamp();
            byte[] keyBlock = SessionFileFormat.EncodeKey(key, WriteId(), _time.GetUtcNow().UtcTicks);
            byte[] tableBlock = SessionFileFormat.EncodeTable(snapshot.Tokens.Span, snapshot.State.Length, snapshot.Checkpoints, snapshot.Documents);
            long fileLength = SessionFileFormat.FileLength(
                keyBlock.Length, tableBlock.Length, snapshot.State.Length, snapshot.Checkpoints.Select(c => c.Data.Length));
            if (fileLength > _options.MaxDiskBytes)
            {
                Logger.SaveFailed(path, $"the session needs {fileLength} bytes, more than the store's limit of {_options.MaxDiskMiB} MiB", null);
                return false;
            }

            EnsureDirectory();
            if (!Trusted())
            {
                return false;
            }

            RemoveStaleTemporaries();
            temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}{SessionFileFormat.TemporaryExtension}";
            using (Stream file = _streams.CreateNew(temporary))
            {
                file.Write(keyBlock);
                file.Write(tableBlock);
                WriteBlob(file, snapshot.State, cancellationToken);
                foreach (CheckpointSource checkpoint in snapshot.Checkpoints)
                {
                    WriteBlob(file, checkpoint.Data, cancellationToken);
                }

                file.Write(SessionFileFormat.EndMagic);
                file.Flush();
                if (file is FileStream fileStream)
                {
                    // fsync before the rename: otherwise a power loss can leave the new name
                    // pointing at a file whose data never reached the disk.
                    fileStream.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, path, overwrite: true);
            temporary = null;
            Logger.Saved(path, snapshot.Tokens.Length, snapshot.Checkpoints.Count, fileLength, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Evict(keep: path);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            Logger.SaveFailed(path, e.Message, e);
            return false;
        }
        finally
        {
            if (temporary is not null)
            {
                TryDelete(temporary);
            }
        }
    }

    /// <summary>
    /// Opens the stored session for <paramref name="key"/> and validates everything but the blob
    /// checksums; null when there is none or it is unusable (then it is removed, with a warning).
    /// </summary>
    public StoredSession? TryOpen(SessionKey key)
    {
        string path = PathFor(key);
        if (!Trusted())
        {
            return null;
        }

        if (RegularFile.NotRegular(path) is { } special)
        {
            Logger.ReadFailed(path, special, null);
            return null;
        }

        FileStream file;
        try
        {
            // Checked again on the opened descriptor: a FIFO swapped in after the stat must not hang the open.
            file = RegularFile.OpenRead(path, FileShare.ReadWrite | FileShare.Delete, StoreStreams.FileBufferBytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e)
        {
            Logger.ReadFailed(path, e.Message, e);
            return null;
        }

        StoredHeader? header = null;
        try
        {
            header = SessionFileFormat.ReadKey(file);
            string? mismatch = Mismatch(header.Key, key);
            if (mismatch is not null)
            {
                throw new SessionFileException(mismatch);
            }

            StoredTable table = SessionFileFormat.ReadTable(file);
            long expected = SessionFileFormat.FileLength(
                header.RawBlock.Length, table.BlockBytes, table.StateLength, table.Checkpoints.Select(c => c.Length));
            if (expected != file.Length)
            {
                throw new SessionFileException(file.Length < expected
                    ? $"it has {file.Length} of its {expected} bytes (truncated)"
                    : $"it has {file.Length} bytes where {expected} were expected (damaged)");
            }

            Span<byte> end = stackalloc byte[SessionFileFormat.EndMagic.Length];
            file.Position = expected - end.Length;
            file.ReadExactly(end);
            if (!end.SequenceEqual(SessionFileFormat.EndMagic))
            {
                throw new SessionFileException("its end marker is damaged");
            }

            MarkUsed(path);
            Logger.Found(path, table.Tokens.Length, table.Checkpoints.Length, header.SavedUtc);
            return new StoredSession(this, path, file, header, table, header.RawBlock.Length + table.BlockBytes);
        }
        catch (SessionFileException e)
        {
            byte[] identity = header?.RawBlock ?? ReadPrefix(file);
            file.Dispose();
            Reject(path, identity, e.Message, e.InnerException);
            return null;
        }
        catch (Exception e)
        {
            file.Dispose();
            Logger.ReadFailed(path, e.Message, e);
            return null;
        }
    }

    private static string? Mismatch(SessionKey stored, SessionKey expected)
    {
        if (stored.Model != expected.Model)
        {
            return $"it was saved for another model file ({Describe(stored.Model)}; now {Describe(expected.Model)})";
        }

        if (stored.Settings != expected.Settings)
        {
            return $"it was saved with other context settings ({stored.Settings}; now {expected.Settings})";
        }

        return stored.Workspace != expected.Workspace ? $"it belongs to another workspace ({stored.Workspace})" : null;
    }

    private static string Describe(ModelFingerprint model) =>
        $"{model.Path}, {model.Size} bytes, modified {new DateTime(model.LastWriteUtcTicks, DateTimeKind.Utc):u}, hash {model.ContentHash:x16}";

    private static void WriteBlob(Stream file, BlobSource source, CancellationToken cancellationToken)
    {
        BlobWriteStream blob = new(file, source.Length, cancellationToken);
        source.WriteTo(blob);
        if (blob.Written != source.Length)
        {
            throw new InvalidDataException($"The blob source wrote {blob.Written} of its declared {source.Length} bytes.");
        }

        Span<byte> checksum = stackalloc byte[SessionFileFormat.ChecksumBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(checksum, blob.Checksum);
        file.Write(checksum);
    }

    private static ulong WriteId() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private static byte[] ReadPrefix(FileStream file)
    {
        try
        {
            byte[] prefix = new byte[(int)Math.Min(file.Length, 4096)];
            file.Position = 0;
            file.ReadExactly(prefix);
            return prefix;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return [];
        }
    }
}
