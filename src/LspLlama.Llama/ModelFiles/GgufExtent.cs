using LspLlama.Native;

namespace LspLlama.ModelFiles;

/// <summary>
/// Checks that a GGUF file whose header passed <see cref="GgufHeader.Read"/> holds all its metadata and
/// all its tensor data, so a truncated download gets its own message instead of a loader failure.
/// </summary>
public static class GgufExtent
{
    /// <exception cref="InvalidModelFileException">The metadata cannot be read, or the file ends before its last tensor.</exception>
    public static void Check(string path)
    {
        GgufContext metadata;
        try
        {
            metadata = GgufContext.ReadMetadata(path);
        }
        catch (InvalidDataException)
        {
            throw new InvalidModelFileException(path, "its metadata cannot be read: the file is truncated or damaged");
        }

        using (metadata)
        {
            ulong needed = metadata.DataEnd();
            long length = new FileInfo(path).Length;
            if ((ulong)length < needed)
            {
                throw new InvalidModelFileException(path, $"the file is truncated: {length:N0} bytes of the {needed:N0} its tensors need");
            }
        }
    }
}
