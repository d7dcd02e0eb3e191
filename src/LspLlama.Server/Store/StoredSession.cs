using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace LspLlama.Store;

/// <summary>
/// An open, validated session file: its key and table were checked and the file has the exact
/// length they announce. The caller looks at <see cref="Tokens"/>, decides whether the stored
/// context is worth loading, and only then reads the blobs. A blob whose checksum fails makes the
/// read return false and removes the file; the caller must then discard what it read.
/// </summary>
/// <remarks>
/// The file stays open until disposed, so a concurrent writer replacing it (rename) does not
/// change what is read here.
/// </remarks>
public sealed class StoredSession : IDisposable
{
    private readonly FileStream _file;
    private readonly SessionStore _store;
    private readonly long _stateOffset;
    private readonly long[] _checkpointOffsets;
    private bool _rejected;

    public StoredSession(SessionStore store, string path, FileStream file, StoredHeader header, StoredTable table, long blobsOffset)
    {
        _store = store;
        _file = file;
        Path = path;
        Header = header;
        Tokens = table.Tokens;
        StateLength = table.StateLength;
        Checkpoints = table.Checkpoints;
        Documents = table.Documents;
        _stateOffset = blobsOffset;
        _checkpointOffsets = new long[table.Checkpoints.Length];
        long offset = blobsOffset + table.StateLength + SessionFileFormat.ChecksumBytes;
        for (int i = 0; i < _checkpointOffsets.Length; i++)
        {
            _checkpointOffsets[i] = offset;
            offset += table.Checkpoints[i].Length + SessionFileFormat.ChecksumBytes;
        }
    }

    public string Path { get; }

    public StoredHeader Header { get; }

    public IReadOnlyList<int> Tokens { get; }

    /// <summary>Size of the full sequence state, for the caller to allocate before <see cref="TryReadState"/>.</summary>
    public long StateLength { get; }

    public IReadOnlyList<StoredCheckpoint> Checkpoints { get; }

    /// <summary>The URIs of the documents the tokens were planned from, in plan order (the active one last).</summary>
    public IReadOnlyList<StoredDocument> Documents { get; }

    /// <summary>
    /// Hands the caller a stream over the full sequence state; it reads it into its own buffer
    /// (e.g. native memory for llama_state_seq_set_data_ext). Returns true only when all of it
    /// was read and the checksum matched: apply the state only after that.
    /// </summary>
    public bool TryReadState(Action<Stream> consume) => TryReadBlob(_stateOffset, StateLength, "the state", consume);

    public bool TryReadCheckpoint(int index, Action<Stream> consume) =>
        TryReadBlob(_checkpointOffsets[index], Checkpoints[index].Length, $"checkpoint {index}", consume);

    /// <summary>Checkpoints are small (a recurrent state, an SWA window): read one into a new array.</summary>
    public byte[]? ReadCheckpointBytes(int index)
    {
        byte[] bytes = new byte[Checkpoints[index].Length];
        return TryReadCheckpoint(index, stream => stream.ReadExactly(bytes)) ? bytes : null;
    }

    private bool TryReadBlob(long offset, long length, string what, Action<Stream> consume)
    {
        if (_rejected)
        {
            return false;
        }

        try
        {
            _file.Position = offset;
            BlobReadStream blob = new(_file, length);
            consume(blob);
            blob.Drain();
            Span<byte> stored = stackalloc byte[SessionFileFormat.ChecksumBytes];
            _file.ReadExactly(stored);
            if (BinaryPrimitives.ReadUInt64LittleEndian(stored) != blob.Checksum)
            {
                Reject($"the checksum of {what} does not match (damaged)", null);
                return false;
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (EndOfStreamException e)
        {
            Reject($"it ends inside {what} (truncated)", e);
            return false;
        }
        catch (Exception e)
        {
            // Disk errors or a failure in the caller's consumer: the file itself may be fine.
            _store.Logger.ReadFailed(Path, $"{what} could not be read ({e.Message})", e);
            return false;
        }
    }

    /// <summary>Declares the file unusable for a reason found outside the store (e.g. llama.cpp refused its state).</summary>
    public void Reject(string reason) => Reject(reason, null);

    private void Reject(string reason, Exception? exception)
    {
        if (_rejected)
        {
            return;
        }

        _rejected = true;
        _file.Dispose();
        _store.Reject(Path, Header.RawBlock, reason, exception);
    }

    public void Dispose() => _file.Dispose();
}
