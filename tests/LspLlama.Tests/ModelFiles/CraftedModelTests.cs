using System.Buffers.Binary;
using System.Text;
using LspLlama.ModelFiles;
using LspLlama.Protocol;
using LspLlama.Tests.Engine;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.ModelFiles;

/// <summary>
/// Model files crafted to pass the header check and then make llama.cpp abort the process (its
/// asserts end it, they do not throw): refused in managed code, before any native call.
/// </summary>
public sealed class CraftedModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lspllama-crafted-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> Crafts => new()
    {
        { "block_count=0", "llama.block_count is 0" },
        { "block_count=1000000", "llama.block_count is 1000000" },
        { "block_count+1", "the tensors describe" },
        { "embedding_length=0", "llama.embedding_length is 0" },
        { "tensor dimension 0", "impossible shape" },
        { "tensor with 9 dimensions", "9 dimensions" },
        { "tensor count+1", "fewer tensors than announced" },
        { "tensor count huge", "more than the file can describe" },
    };

    [Theory]
    [MemberData(nameof(Crafts))]
    public void A_crafted_file_is_refused_with_the_reason(string craft, string reason)
    {
        string path = Craft(craft);
        var e = Assert.Throws<InvalidModelFileException>(() => GgufHeader.Read(path));
        Assert.True(e.Reason.Contains(reason, StringComparison.Ordinal), e.Reason);
    }

    [Fact]
    public void The_untouched_tiny_model_passes()
    {
        Assert.Equal("llama", GgufHeader.Read(TinyModels.Get(TinyArch.Llama)).Architecture);
        Assert.Equal("granitehybrid", GgufHeader.Read(TinyModels.Get(TinyArch.GraniteHybrid)).Architecture);
    }

    [Fact]
    public async Task The_server_reports_a_crafted_model_and_keeps_serving()
    {
        await using EngineClient client = new();
        await client.StartAsync(EngineClient.Settings(Craft("block_count=0")));
        ShowMessageParams message = await client.WaitForMessageAsync();
        Assert.Equal(MessageType.Error, message.Type);
        Assert.Contains("block_count is 0", message.Message, StringComparison.Ordinal);
        await client.OpenAsync("file:///a.py", "x = 1\n");
        Assert.Equal("error", EngineClient.State(await client.StatusAsync()));
    }

    [Fact]
    public async Task A_file_llama_cpp_refuses_says_its_reason_in_the_message()
    {
        // Passes every managed check; llama.cpp then finds the tensors' shapes wrong and says so in its log only.
        byte[] bytes = File.ReadAllBytes(TinyModels.Get(TinyArch.GraniteHybrid));
        PatchUInt32(bytes, "granitehybrid.ssm.state_size", 0);
        string path = Path.Combine(_dir, "state_size_0.gguf");
        File.WriteAllBytes(path, bytes);

        await using EngineClient client = new();
        await client.StartAsync(EngineClient.Settings(path));
        ShowMessageParams message = await client.WaitForMessageAsync();
        Assert.Equal(MessageType.Error, message.Type);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(message.Message, "llama.cpp could not load it: .*tensor"), message.Message);
    }

    private string Craft(string craft)
    {
        byte[] bytes = File.ReadAllBytes(TinyModels.Get(TinyArch.Llama));
        switch (craft)
        {
            case "block_count=0":
                PatchUInt32(bytes, "llama.block_count", 0);
                break;
            case "block_count=1000000":
                PatchUInt32(bytes, "llama.block_count", 1_000_000);
                break;
            case "block_count+1":
                PatchUInt32(bytes, "llama.block_count", ReadUInt32(bytes, "llama.block_count") + 1);
                break;
            case "embedding_length=0":
                PatchUInt32(bytes, "llama.embedding_length", 0);
                break;
            case "tensor dimension 0":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(After(bytes, "token_embd.weight") + 4), 0);
                break;
            case "tensor with 9 dimensions":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(After(bytes, "token_embd.weight")), 9);
                break;
            case "tensor count+1":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)) + 1);
                break;
            case "tensor count huge":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 1UL << 40);
                break;
        }

        string path = Path.Combine(_dir, craft.Replace(' ', '_').Replace('=', '_').Replace('+', 'p') + ".gguf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Offset just after the first occurrence of <paramref name="text"/> as a GGUF string (its length, then its bytes).</summary>
    private static int After(byte[] bytes, string text)
    {
        byte[] needle = Encoding.UTF8.GetBytes(text);
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at >= 8, $"'{text}' is not in the model");
        Assert.Equal((ulong)needle.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at - 8)));
        return at + needle.Length;
    }

    private static uint ReadUInt32(byte[] bytes, string key)
    {
        int at = After(bytes, key);
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at))); // GGUF_TYPE_UINT32
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 4));
    }

    private static void PatchUInt32(byte[] bytes, string key, uint value)
    {
        ReadUInt32(bytes, key);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(After(bytes, key) + 4), value);
    }
}
