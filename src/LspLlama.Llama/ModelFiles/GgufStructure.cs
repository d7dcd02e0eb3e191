using System.Text;

namespace LspLlama.ModelFiles;

/// <summary>
/// Walks a GGUF file's metadata and tensor table once, in managed code, and refuses what llama.cpp
/// would abort on instead of reporting (<c>GGML_ASSERT</c> ends the process): zero or absurd model
/// dimensions, tensors with no or zero-sized dimensions, a tensor table shorter than announced,
/// and layer tensors that do not match <c>block_count</c>. The same walk finds where the last
/// tensor's data ends, so a truncated download gets its own message instead of a loader failure.
/// It reads only the front of the file (metadata and tensor descriptions), never the weights.
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

    // GGUF's default data alignment, when general.alignment is absent.
    private const long DefaultAlignment = 32;

    /// <summary>
    /// Elements per block and bytes per block of each ggml tensor type (ggml.c's type traits, by
    /// enum value); (0, 0) for the values ggml no longer has, which llama.cpp refuses.
    /// </summary>
    private static readonly (int Block, int Bytes)[] s_typeSizes =
    [
        (1, 4), (1, 2), (32, 18), (32, 20), (0, 0), (0, 0), (32, 22), (32, 24), (32, 34), (32, 36), // F32 F16 Q4_0 Q4_1 - - Q5_0 Q5_1 Q8_0 Q8_1
        (256, 84), (256, 110), (256, 144), (256, 176), (256, 210), (256, 292), // Q2_K Q3_K Q4_K Q5_K Q6_K Q8_K
        (256, 66), (256, 74), (256, 98), (256, 50), (32, 18), (256, 110), (256, 82), (256, 136), // IQ2_XXS IQ2_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ2_S IQ4_XS
        (1, 1), (1, 2), (1, 4), (1, 8), (1, 8), (256, 56), (1, 2), // I8 I16 I32 I64 F64 IQ1_M BF16
        (0, 0), (0, 0), (0, 0), (256, 54), (256, 66), (0, 0), (0, 0), (0, 0), (32, 17), // - - - TQ1_0 TQ2_0 - - - MXFP4
    ];

    /// <summary>Checks the file and returns the bytes it needs: the data section's start plus the end of its last tensor (0 without tensors).</summary>
    /// <exception cref="InvalidModelFileException">
    /// The file is not one llama.cpp can load without aborting, or it ends before its last tensor's data.
    /// </exception>
    public static long Check(string path, Stream stream, GgufHeader header)
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
            long dataEnd = 0;
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
                long rowLength = 0;
                for (uint d = 0; d < dims; d++)
                {
                    ulong size = reader.ReadUInt64();
                    if (size == 0 || size > MaxElements || (elements *= (long)size) > MaxElements)
                    {
                        throw Invalid(path, $"tensor '{name}' has an impossible shape (dimension {d} is {size})");
                    }

                    rowLength = d == 0 ? (long)size : rowLength;
                }

                uint type = reader.ReadUInt32();
                ulong offset = reader.ReadUInt64();
                if (type >= s_typeSizes.Length || s_typeSizes[type].Block == 0)
                {
                    throw Invalid(path, $"tensor '{name}' has the unknown type {type}");
                }

                (int block, int bytes) = s_typeSizes[type];
                if (rowLength % block != 0)
                {
                    throw Invalid(path, $"tensor '{name}' has rows of {rowLength} elements, not a multiple of its type's block of {block}");
                }

                // An absurd offset ends as a truncated file below.
                dataEnd = Math.Max(dataEnd, (long)Math.Min(offset, (ulong)MaxElements) + (elements / block * bytes));
                highestBlock = Math.Max(highestBlock, BlockIndex(name));
            }

            if (architecture is not null)
            {
                CheckDimensions(path, architecture, numbers, highestBlock);
            }

            if (header.TensorCount == 0)
            {
                return 0;
            }

            long alignment = numbers.TryGetValue("general.alignment", out long a) && a > 0 ? a : DefaultAlignment;
            long needed = ((stream.Position + alignment - 1) / alignment * alignment) + dataEnd;
            if (fileLength < needed)
            {
                throw Invalid(path, $"the file is truncated: {fileLength:N0} bytes of the {needed:N0} its tensors need");
            }

            return needed;
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
