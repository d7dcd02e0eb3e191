using System.Text;

namespace LspLlama.ModelFiles;

/// <summary>
/// Walks a GGUF file's metadata and tensor table in managed code and refuses what llama.cpp would
/// abort on instead of reporting (<c>GGML_ASSERT</c> ends the process): zero or absurd model
/// dimensions, tensors with no or zero-sized dimensions, a tensor table shorter than announced,
/// and layer tensors that do not match <c>block_count</c>. It reads only the front of the file
/// (metadata and tensor descriptions), never the weights.
/// </summary>
internal static class GgufStructure
{
    private const int HeaderBytes = 24;
    private const int MaxDims = 4; // GGML_MAX_DIMS
    private const ulong MaxKeyBytes = 1 << 16;
    private const ulong MaxStringBytes = 64 << 20; // chat templates and the like are large, not this large
    private const long MaxBlocks = 4096;
    private const long MaxEmbedding = 1 << 20;
    private const long MaxElements = 1L << 40;

    // Value types of gguf.h, and the byte size of the fixed-size ones.
    private const uint StringType = 8;
    private const uint ArrayType = 9;
    private static readonly int[] s_fixedSizes = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

    /// <exception cref="InvalidModelFileException">The file is not one llama.cpp can load without aborting.</exception>
    public static void Check(string path, Stream stream, GgufHeader header)
    {
        stream.Position = HeaderBytes;
        var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        long fileLength = stream.Length;
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        string? architecture = null;
        try
        {
            for (ulong i = 0; i < header.MetadataCount; i++)
            {
                string key = ReadString(reader, MaxKeyBytes);
                uint type = reader.ReadUInt32();
                if (type == StringType)
                {
                    string value = ReadString(reader, MaxStringBytes);
                    architecture = key == "general.architecture" ? value : architecture;
                }
                else if (type == ArrayType)
                {
                    SkipArray(reader, fileLength);
                }
                else if (ReadNumber(reader, type) is { } number)
                {
                    numbers[key] = number;
                }
                else
                {
                    throw Invalid(path, $"metadata '{key}' has the unknown type {type}");
                }
            }

            if (header.TensorCount > (ulong)(fileLength / 24))
            {
                throw Invalid(path, $"it announces {header.TensorCount} tensors, more than the file can describe");
            }

            int highestBlock = -1;
            for (ulong i = 0; i < header.TensorCount; i++)
            {
                string name = ReadString(reader, MaxKeyBytes);
                if (name.Length == 0)
                {
                    throw Invalid(path, $"tensor {i} of the {header.TensorCount} announced has no name (the table holds fewer tensors than announced)");
                }

                uint dims = reader.ReadUInt32();
                if (dims is 0 or > MaxDims)
                {
                    throw Invalid(path, $"tensor '{name}' has {dims} dimensions (1 to {MaxDims} allowed)");
                }

                long elements = 1;
                for (uint d = 0; d < dims; d++)
                {
                    ulong size = reader.ReadUInt64();
                    if (size == 0 || size > MaxElements || (elements *= (long)size) > MaxElements)
                    {
                        throw Invalid(path, $"tensor '{name}' has an impossible shape (dimension {d} is {size})");
                    }
                }

                reader.ReadUInt32(); // type
                reader.ReadUInt64(); // offset
                highestBlock = Math.Max(highestBlock, BlockIndex(name));
            }

            if (architecture is not null)
            {
                CheckDimensions(path, architecture, numbers, highestBlock);
            }
        }
        catch (EndOfStreamException)
        {
            throw Invalid(path, "the file is truncated (its metadata or tensor table ends early)");
        }
    }

    private static void CheckDimensions(string path, string arch, Dictionary<string, long> numbers, int highestBlock)
    {
        if (numbers.TryGetValue($"{arch}.block_count", out long blocks))
        {
            if (blocks is < 1 or > MaxBlocks)
            {
                throw Invalid(path, $"{arch}.block_count is {blocks} (1 to {MaxBlocks} allowed)");
            }

            if (highestBlock >= 0 && highestBlock + 1 != blocks)
            {
                throw Invalid(path, $"{arch}.block_count is {blocks} but the tensors describe {highestBlock + 1} layers");
            }
        }

        if (numbers.TryGetValue($"{arch}.embedding_length", out long embedding) && embedding is < 1 or > MaxEmbedding)
        {
            throw Invalid(path, $"{arch}.embedding_length is {embedding} (1 to {MaxEmbedding} allowed)");
        }

        if (numbers.TryGetValue($"{arch}.context_length", out long context) && context < 1)
        {
            throw Invalid(path, $"{arch}.context_length is {context}");
        }
    }

    /// <summary>N of a layer tensor <c>blk.N.…</c>; -1 for other tensors.</summary>
    private static int BlockIndex(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal))
        {
            return -1;
        }

        int end = name.IndexOf('.', 4);
        return end > 4 && int.TryParse(name.AsSpan(4, end - 4), out int index) && index >= 0 ? index : -1;
    }

    private static long? ReadNumber(BinaryReader reader, uint type) => type switch
    {
        0 => reader.ReadByte(),
        1 => reader.ReadSByte(),
        2 => reader.ReadUInt16(),
        3 => reader.ReadInt16(),
        4 => reader.ReadUInt32(),
        5 => reader.ReadInt32(),
        6 => (long)reader.ReadSingle(),
        7 => reader.ReadByte(),
        10 => (long)Math.Min(reader.ReadUInt64(), long.MaxValue),
        11 => reader.ReadInt64(),
        12 => (long)reader.ReadDouble(),
        _ => null,
    };

    private static void SkipArray(BinaryReader reader, long fileLength)
    {
        uint type = reader.ReadUInt32();
        ulong count = reader.ReadUInt64();
        if (count > (ulong)fileLength)
        {
            throw new EndOfStreamException();
        }

        if (type == StringType)
        {
            for (ulong i = 0; i < count; i++)
            {
                ReadString(reader, MaxStringBytes);
            }
        }
        else if (type < s_fixedSizes.Length && s_fixedSizes[type] > 0)
        {
            long bytes = (long)count * s_fixedSizes[type];
            if (reader.BaseStream.Position + bytes > fileLength)
            {
                throw new EndOfStreamException();
            }

            reader.BaseStream.Position += bytes;
        }
        else
        {
            throw new EndOfStreamException(); // nested arrays or unknown types: llama.cpp refuses them too
        }
    }

    private static string ReadString(BinaryReader reader, ulong max)
    {
        ulong length = reader.ReadUInt64();
        if (length > max || (long)length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new EndOfStreamException();
        }

        byte[] bytes = reader.ReadBytes((int)length);
        return bytes.Length == (int)length ? Encoding.UTF8.GetString(bytes) : throw new EndOfStreamException();
    }

    private static InvalidModelFileException Invalid(string path, string reason) => new(path, reason);
}
