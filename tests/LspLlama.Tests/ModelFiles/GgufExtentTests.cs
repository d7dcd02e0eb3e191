using LspLlama.ModelFiles;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.ModelFiles;

/// <summary>
/// The managed walk of the tensor table finds where the last tensor's data ends: llama.cpp's own
/// writer pads the data section to the alignment (32 bytes), so every tiny model ends within 32
/// bytes after it, and one byte less is a truncated file.
/// </summary>
public sealed class GgufExtentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lspllama-extent-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<TinyArch> Architectures => [.. Enum.GetValues<TinyArch>()];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void The_data_end_is_where_llama_cpp_wrote_the_last_tensor(TinyArch arch)
    {
        string model = TinyModels.Get(arch);
        long length = new FileInfo(model).Length;
        GgufHeader header = GgufHeader.Read(model);
        Assert.True(header.TensorCount > 0);
        Assert.InRange(length - header.BytesNeeded, 0, 31);

        string cut = Path.Combine(_dir, $"{arch}.gguf");
        using (FileStream source = File.OpenRead(model))
        using (FileStream target = File.Create(cut))
        {
            source.CopyTo(target);
            target.SetLength(header.BytesNeeded - 1);
        }

        var e = Assert.Throws<InvalidModelFileException>(() => GgufHeader.Read(cut));
        Assert.Equal($"the file is truncated: {header.BytesNeeded - 1:N0} bytes of the {header.BytesNeeded:N0} its tensors need", e.Reason);
    }
}
