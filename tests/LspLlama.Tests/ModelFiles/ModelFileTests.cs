using System.Text;
using LspLlama.ModelFiles;
using Xunit;

namespace LspLlama.Tests.ModelFiles;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lspllama-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Header_of_a_valid_file_gives_version_and_architecture()
    {
        string path = WriteGguf("ok.gguf", architecture: "granitehybrid");
        GgufHeader header = GgufHeader.Read(path);
        Assert.Equal(3u, header.Version);
        Assert.Equal("granitehybrid", header.Architecture);
    }

    [Theory]
    [InlineData("missing.gguf", "does not exist")]
    [InlineData("nope/missing.gguf", "folder does not exist")]
    public void Missing_files_are_named_with_the_reason(string name, string reason)
    {
        var e = Assert.Throws<InvalidModelFileException>(() => GgufHeader.Read(Path.Combine(_dir, name)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains(name.Split('/')[^1], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_is_named_as_a_folder_not_as_a_permission_problem()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "model.gguf")).FullName;
        var e = Assert.Throws<InvalidModelFileException>(() => GgufHeader.Read(folder));
        Assert.Contains("it is a folder, not a model file", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("permission", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_file_is_not_a_model()
    {
        string path = Path.Combine(_dir, "readme.gguf");
        File.WriteAllText(path, "this is not a model, just some text that is long enough");
        var e = Assert.Throws<InvalidModelFileException>(() => GgufHeader.Read(path));
        Assert.Contains("not a GGUF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_header_is_reported_as_truncated()
    {
        string full = WriteGguf("full.gguf", architecture: "llama");
        byte[] bytes = File.ReadAllBytes(full);
        string cut = Path.Combine(_dir, "cut.gguf");
        File.WriteAllBytes(cut, bytes[..30]);
        var e = Assert.Throws<InvalidModelFileException>(() => GgufHeader.Read(cut));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locator_prefers_code_models_then_recent_files_and_skips_projectors()
    {
        string hf = Path.Combine(_dir, "hub", "models--org--x", "snapshots", "abc");
        string lm = Path.Combine(_dir, "lmstudio", "org");
        Directory.CreateDirectory(hf);
        Directory.CreateDirectory(lm);
        string chat = WriteGguf("../hub/models--org--x/snapshots/abc/chat-7b.gguf", "llama");
        string coder = WriteGguf("../lmstudio/org/qwen2.5-coder-1.5b.gguf", "qwen2");
        WriteGguf("../lmstudio/org/mmproj-coder.gguf", "clip");
        WriteGguf("../lmstudio/org/big-coder-00002-of-00003.gguf", "llama");
        File.SetLastWriteTimeUtc(coder, DateTime.UtcNow.AddDays(-10));
        File.SetLastWriteTimeUtc(chat, DateTime.UtcNow);

        var locator = new ModelLocator(
        [
            new("Hugging Face cache", Path.Combine(_dir, "hub")),
            new("LM Studio", Path.Combine(_dir, "lmstudio")),
            new("llama.cpp cache", Path.Combine(_dir, "absent")),
        ]);
        IReadOnlyList<ModelLocator.Candidate> all = locator.FindAll();

        Assert.Equal([Path.GetFullPath(coder), Path.GetFullPath(chat)], all.Select(c => Path.GetFullPath(c.Path)));
        Assert.Equal("LM Studio", all[0].Tool);
    }

    [Fact]
    public void Locator_finds_nothing_in_empty_places()
    {
        var locator = new ModelLocator([new("llama.cpp cache", Path.Combine(_dir, "absent"))]);
        Assert.Null(locator.FindBest());
    }

    private string WriteGguf(string name, string architecture)
    {
        string path = Path.GetFullPath(Path.Combine(_dir, "x", name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var w = new BinaryWriter(File.Create(path));
        w.Write(Encoding.ASCII.GetBytes("GGUF"));
        w.Write(3u);
        w.Write(0UL); // tensors
        w.Write(1UL); // metadata
        WriteString(w, "general.architecture");
        w.Write(8u);
        WriteString(w, architecture);
        return path;
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }
}
