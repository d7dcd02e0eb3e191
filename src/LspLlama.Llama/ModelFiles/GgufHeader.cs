using System.Text;

namespace LspLlama.ModelFiles;

/// <summary>
/// The first bytes of a GGUF file, read without native code, so that a wrong or broken model path
/// gets a clear message before llama.cpp is asked to load it (llama.cpp aborts on some bad files).
/// </summary>
public sealed record GgufHeader(uint Version, ulong TensorCount, ulong MetadataCount, string? Architecture)
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian

    /// <summary>Bytes the file needs: the data section's start plus the end of its last tensor (0 without tensors).</summary>
    public long BytesNeeded { get; init; }

    /// <summary>
    /// Reads the header and, when it comes first, <c>general.architecture</c>, then checks the
    /// metadata, the tensor table and the file's length in one managed walk (<see cref="GgufStructure"/>).
    /// </summary>
    /// <exception cref="InvalidModelFileException">The file is missing, unreadable, not GGUF, truncated or one llama.cpp would abort on.</exception>
    public static GgufHeader Read(string path)
    {
        if (Directory.Exists(path))
        {
            // Opening a folder fails as "access denied" on Linux, which would send the user to the permissions.
            throw new InvalidModelFileException(path, "it is a folder, not a model file: name the .gguf file in it");
        }

        if (RegularFile.NotRegular(path) is { } special)
        {
            throw new InvalidModelFileException(path, special);
        }

        FileStream stream;
        try
        {
            stream = RegularFile.OpenRead(path, bufferSize: 64 * 1024);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidModelFileException(path, "the file does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw new InvalidModelFileException(path, "the folder does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidModelFileException(path, "the file is not readable (permission denied)");
        }
        catch (IOException e)
        {
            throw new InvalidModelFileException(path, $"the file cannot be read: {e.Message}");
        }

        using (stream)
        {
            var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            try
            {
                if (stream.Length < 24 || reader.ReadUInt32() != Magic)
                {
                    throw new InvalidModelFileException(path, "it is not a GGUF model file (no GGUF magic)");
                }

                uint version = reader.ReadUInt32();
                if (version is < 2 or > 3)
                {
                    throw new InvalidModelFileException(path, $"unsupported GGUF version {version}");
                }

                ulong tensors = reader.ReadUInt64();
                ulong metadata = reader.ReadUInt64();
                var header = new GgufHeader(version, tensors, metadata, TryReadArchitecture(reader, metadata));
                return header with { BytesNeeded = GgufStructure.Check(path, stream, header) };
            }
            catch (EndOfStreamException)
            {
                throw new InvalidModelFileException(path, "the file is truncated");
            }
        }
    }

    // general.architecture is by convention the first key; anything else is left to llama.cpp.
    private static string? TryReadArchitecture(BinaryReader reader, ulong metadataCount)
    {
        if (metadataCount == 0)
        {
            return null;
        }

        string key = ReadString(reader);
        const uint StringType = 8;
        return key == "general.architecture" && reader.ReadUInt32() == StringType ? ReadString(reader) : null;
    }

    private static string ReadString(BinaryReader reader)
    {
        ulong length = reader.ReadUInt64();
        if (length > 1 << 20)
        {
            throw new EndOfStreamException();
        }

        Span<byte> bytes = length <= 256 ? stackalloc byte[(int)length] : new byte[length];
        reader.BaseStream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }
}

/// <summary>A model path that cannot be used, with the reason in words a user can act on.</summary>
public sealed class InvalidModelFileException(string path, string reason)
    : Exception($"Cannot use model '{path}': {reason}.")
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}
