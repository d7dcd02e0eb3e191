using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using MessagePack;

namespace LspLlama.Store;

/// <summary>
/// Layout of a session file (all integers little-endian):
/// <code>
/// magic "LSPLSESS" | u32 version | u32 n | key (MessagePack, n bytes) | u64 xxh64(everything before)
/// u32 m | table (MessagePack, m bytes: tokens, state length, checkpoints, documents) | u64 xxh64(table)
/// state blob | u64 xxh64(state)
/// checkpoint blob | u64 xxh64(blob)   … one per checkpoint, in table order
/// end magic "LSPLEND\n"
/// </code>
/// The key comes first and alone, so a file for another model is rejected without reading more;
/// the table (tokens, blob lengths) lets the caller decide whether the big state is worth loading,
/// and tells the exact file length, so a truncated file is caught before any blob is read.
/// The table also names the documents the tokens were planned from, in plan order, so a restarted
/// server can lay the files out as they were even when the editor reopens fewer of them.
/// Version 2 added the documents; version 1 files are refused like any older format.
/// </summary>
public static class SessionFileFormat
{
    public const uint Version = 2;

    public const int PreambleBytes = 16;

    public const int ChecksumBytes = 8;

    public const string FileExtension = ".lspsession";

    public const string TemporaryExtension = ".tmp";

    public static ReadOnlySpan<byte> Magic => "LSPLSESS"u8;

    public static ReadOnlySpan<byte> EndMagic => "LSPLEND\n"u8;

    /// <summary>Bounds a damaged length field before anything is allocated for it.</summary>
    private const int MaxBlockBytes = 512 << 20;

    public static byte[] EncodeKey(SessionKey key, ulong writeId, long savedUtcTicks)
    {
        ArrayBufferWriter<byte> buffer = new();
        MessagePackWriter writer = new(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(typeof(SessionFileFormat).Assembly.GetName().Version?.ToString() ?? "");
        writer.Write(writeId);
        writer.Write(savedUtcTicks);
        writer.Write(key.Workspace);
        ModelFingerprint model = key.Model;
        writer.WriteArrayHeader(4);
        writer.Write(model.Path);
        writer.Write(model.Size);
        writer.Write(model.LastWriteUtcTicks);
        writer.Write(model.ContentHash);
        StateSettings settings = key.Settings;
        writer.WriteArrayHeader(7);
        writer.Write(settings.ContextSize);
        writer.Write(settings.TypeK);
        writer.Write(settings.TypeV);
        writer.Write(settings.RecurrentRollbackSnapshots);
        writer.Write(settings.FlashAttention);
        writer.Write(settings.SwaFull);
        writer.Write(settings.Engine);
        writer.Flush();

        // The preamble and key block are checksummed together, so a flipped bit in the version
        // or a length is caught as well.
        byte[] block = new byte[PreambleBytes + buffer.WrittenCount + ChecksumBytes];
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(12), (uint)buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(block.AsSpan(PreambleBytes));
        int hashed = PreambleBytes + buffer.WrittenCount;
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(hashed), XxHash64.HashToUInt64(block.AsSpan(0, hashed)));
        return block;
    }

    public static byte[] EncodeTable(ReadOnlySpan<int> tokens, long stateLength, IReadOnlyList<CheckpointSource> checkpoints, IReadOnlyList<StoredDocument> documents)
    {
        ArrayBufferWriter<byte> buffer = new(tokens.Length * 5 + 64);
        MessagePackWriter writer = new(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteArrayHeader(tokens.Length);
        foreach (int token in tokens)
        {
            writer.Write(token);
        }

        writer.Write(stateLength);
        writer.WriteArrayHeader(checkpoints.Count);
        foreach (CheckpointSource checkpoint in checkpoints)
        {
            writer.WriteArrayHeader(4);
            writer.Write(checkpoint.Position);
            writer.Write(checkpoint.PosMin);
            writer.Write(checkpoint.PosMax);
            writer.Write(checkpoint.Data.Length);
        }

        writer.WriteArrayHeader(documents.Count);
        foreach (StoredDocument document in documents)
        {
            writer.WriteArrayHeader(2);
            writer.Write(document.Uri);
            writer.Write(document.WithoutCarriageReturns);
        }

        writer.Flush();
        byte[] block = new byte[4 + buffer.WrittenCount + ChecksumBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(block, (uint)buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(block.AsSpan(4));
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(4 + buffer.WrittenCount), XxHash64.HashToUInt64(buffer.WrittenSpan));
        return block;
    }

    /// <summary>The length a complete file must have, from the sizes of its parts.</summary>
    public static long FileLength(long keyBlockBytes, long tableBlockBytes, long stateLength, IEnumerable<long> checkpointLengths) =>
        keyBlockBytes + tableBlockBytes + stateLength + ChecksumBytes
        + checkpointLengths.Sum(length => length + ChecksumBytes) + EndMagic.Length;

    /// <summary>Reads and checks the preamble and key block; leaves the stream just after it.</summary>
    /// <exception cref="SessionFileException">The file is not a usable session file.</exception>
    public static StoredHeader ReadKey(Stream file)
    {
        Span<byte> preamble = stackalloc byte[PreambleBytes];
        ReadBlock(file, preamble, "preamble");
        if (!preamble[..8].SequenceEqual(Magic))
        {
            throw new SessionFileException("it is not a session file (bad magic)");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        uint keyLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[12..]);
        if (version > Version)
        {
            throw new SessionFileException($"it has format version {version}, newer than this server's {Version}");
        }

        if (keyLength > MaxBlockBytes || keyLength > file.Length - file.Position - ChecksumBytes)
        {
            throw new SessionFileException("its key block length is out of range (damaged or truncated)");
        }

        byte[] block = new byte[PreambleBytes + (int)keyLength + ChecksumBytes];
        preamble.CopyTo(block);
        ReadBlock(file, block.AsSpan(PreambleBytes), "key block");
        int hashed = PreambleBytes + (int)keyLength;
        if (XxHash64.HashToUInt64(block.AsSpan(0, hashed)) != BinaryPrimitives.ReadUInt64LittleEndian(block.AsSpan(hashed)))
        {
            throw new SessionFileException("the checksum of its key block does not match (damaged)");
        }

        if (version != Version)
        {
            throw new SessionFileException($"it has format version {version}, older than this server's {Version}");
        }

        return Decode(block.AsMemory(PreambleBytes, (int)keyLength), "key block", (ref MessagePackReader reader) => DecodeKey(ref reader, block));
    }

    /// <summary>Reads and checks the table block that follows the key block.</summary>
    /// <exception cref="SessionFileException">The block is damaged.</exception>
    public static StoredTable ReadTable(Stream file)
    {
        Span<byte> lengthBytes = stackalloc byte[4];
        ReadBlock(file, lengthBytes, "table length");
        uint tableLength = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (tableLength > MaxBlockBytes || tableLength > file.Length - file.Position - ChecksumBytes)
        {
            throw new SessionFileException("its table length is out of range (damaged or truncated)");
        }

        byte[] block = new byte[(int)tableLength + ChecksumBytes];
        ReadBlock(file, block, "table");
        if (XxHash64.HashToUInt64(block.AsSpan(0, (int)tableLength)) != BinaryPrimitives.ReadUInt64LittleEndian(block.AsSpan((int)tableLength)))
        {
            throw new SessionFileException("the checksum of its table does not match (damaged)");
        }

        return Decode(block.AsMemory(0, (int)tableLength), "table", DecodeTable) with { BlockBytes = 4 + block.Length };
    }

    private static T Decode<T>(ReadOnlyMemory<byte> bytes, string what, DecodeFunc<T> decode)
    {
        try
        {
            MessagePackReader reader = new(bytes);
            T value = decode(ref reader);
            if (!reader.End)
            {
                throw new SessionFileException($"its {what} has trailing bytes");
            }

            return value;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            // The checksum matched, so the writer itself wrote something this reader does not
            // understand: treat it like any other unusable file.
            throw new SessionFileException($"its {what} cannot be decoded ({e.Message})", e);
        }
    }

    private delegate T DecodeFunc<out T>(ref MessagePackReader reader);

    private static StoredHeader DecodeKey(ref MessagePackReader reader, byte[] block)
    {
        Expect(reader.ReadArrayHeader(), 6);
        string writer = reader.ReadString() ?? "";
        ulong writeId = reader.ReadUInt64();
        long savedTicks = reader.ReadInt64();
        string workspace = reader.ReadString() ?? "";
        Expect(reader.ReadArrayHeader(), 4);
        ModelFingerprint model = new(reader.ReadString() ?? "", reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt64());
        Expect(reader.ReadArrayHeader(), 7);
        StateSettings settings = new(
            reader.ReadUInt32(),
            reader.ReadString() ?? "",
            reader.ReadString() ?? "",
            reader.ReadUInt32(),
            reader.ReadBoolean(),
            reader.ReadBoolean(),
            reader.ReadString() ?? "");
        return new StoredHeader(new SessionKey(workspace, model, settings), writer, writeId, new DateTime(savedTicks, DateTimeKind.Utc), block);
    }

    private static StoredTable DecodeTable(ref MessagePackReader reader)
    {
        Expect(reader.ReadArrayHeader(), 4);
        int tokenCount = reader.ReadArrayHeader();
        int[] tokens = new int[tokenCount];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = reader.ReadInt32();
        }

        long stateLength = reader.ReadInt64();
        int checkpointCount = reader.ReadArrayHeader();
        StoredCheckpoint[] checkpoints = new StoredCheckpoint[checkpointCount];
        for (int i = 0; i < checkpoints.Length; i++)
        {
            Expect(reader.ReadArrayHeader(), 4);
            checkpoints[i] = new StoredCheckpoint(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64());
            if (checkpoints[i].Length < 0)
            {
                throw new SessionFileException("a checkpoint has a negative length");
            }
        }

        int documentCount = reader.ReadArrayHeader();
        StoredDocument[] documents = new StoredDocument[documentCount];
        for (int i = 0; i < documents.Length; i++)
        {
            Expect(reader.ReadArrayHeader(), 2);
            documents[i] = new StoredDocument(reader.ReadString() ?? throw new SessionFileException("a document has no name"), reader.ReadBoolean());
        }

        if (stateLength < 0)
        {
            throw new SessionFileException("the state has a negative length");
        }

        return new StoredTable(tokens, stateLength, checkpoints, documents, 0);
    }

    private static void Expect(int actual, int expected)
    {
        if (actual != expected)
        {
            throw new SessionFileException($"a record has {actual} fields where {expected} were expected");
        }
    }

    private static void ReadBlock(Stream file, Span<byte> destination, string what)
    {
        if (file.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) != destination.Length)
        {
            throw new SessionFileException($"it ends inside its {what} (truncated)");
        }
    }
}

/// <summary>The key block of a stored file, with its raw bytes (they identify this exact write).</summary>
public sealed record StoredHeader(SessionKey Key, string Writer, ulong WriteId, DateTime SavedUtc, byte[] RawBlock);

/// <summary>The table block: tokens, the lengths of the blobs that follow, and the planned documents (URIs, in plan order).</summary>
public sealed record StoredTable(int[] Tokens, long StateLength, StoredCheckpoint[] Checkpoints, StoredDocument[] Documents, long BlockBytes);

/// <summary>
/// A document a stored session was planned from. <paramref name="WithoutCarriageReturns"/>: its
/// text had no CR, so an editor that sends line ends as "\n" (Emacs) had it, and a CRLF file read
/// from disk is laid out without the CRs, as that editor will send it.
/// </summary>
public sealed record StoredDocument(string Uri, bool WithoutCarriageReturns);

/// <summary>A session file that cannot be used; the message completes "Ignoring the stored session: …".</summary>
public sealed class SessionFileException : Exception
{
    public SessionFileException(string message)
        : base(message)
    {
    }

    public SessionFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SessionFileException()
    {
    }
}
