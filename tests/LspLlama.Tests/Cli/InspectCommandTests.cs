using LspLlama.Cli;
using LspLlama.Core.Context.Formats;
using LspLlama.ModelFiles;
using LspLlama.Models;
using LspLlama.Tests.Context;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Cli;

/// <summary><c>lspllama inspect</c> on every tiny model <c>make-model</c> builds, on the shared vocabularies and on bad files.</summary>
public sealed class InspectCommandTests
{
    private const string SamplePrompt =
        "«<|repo_name|>»workspace\n«<|file_sep|>»sample.py\n«<|fim_prefix|>»def greet(name):\n    message = \"Hello, \" + name\n"
        + "«<|fim_suffix|>»message\n\n\nprint(greet(\"world\"))\n«<|fim_middle|>»    return \n";

    [Theory]
    [InlineData(TinyArch.Llama, "Attention", "none needed")]
    [InlineData(TinyArch.Mamba2, "Recurrent", "bytes each")]
    [InlineData(TinyArch.GraniteHybrid, "Hybrid", "bytes each")]
    [InlineData(TinyArch.Lfm2, "Hybrid", "bytes each")]
    [InlineData(TinyArch.Qwen35, "Hybrid", "bytes each")]
    [InlineData(TinyArch.Gemma2, "SlidingWindow", "bytes each")]
    public void Every_tiny_model_shows_its_memory_format_and_exact_prompt(TinyArch arch, string memory, string checkpoint)
    {
        string path = TinyModels.Get(arch);
        Dictionary<string, string> lines = Inspect(new InspectOptions { ModelPath = path }, out string prompt);

        Assert.Equal(arch.GgufName(), lines["architecture"]);
        Assert.StartsWith(memory + " (", lines["memory"], StringComparison.Ordinal);
        Assert.EndsWith("tried as at load", lines["memory"], StringComparison.Ordinal);
        Assert.StartsWith("16384 tokens (trained for 65536)", lines["context"], StringComparison.Ordinal);
        Assert.Contains(checkpoint, lines["checkpoint"], StringComparison.Ordinal);
        Assert.Equal("qwen-coder (Qwen2.5-Coder / Qwen3-Coder), layout Psm", lines["format"]);
        Assert.StartsWith("FIM prefix '<|fim_prefix|>' (257)", lines["why"], StringComparison.Ordinal);
        Assert.Contains($"general.architecture {arch.GgufName()}", lines["why"], StringComparison.Ordinal);
        Assert.StartsWith("'<|endoftext|>' (256), '<|fim_pad|>' (260)", lines["stop tokens"], StringComparison.Ordinal);
        Assert.Equal("«<|file_sep|>»other/file.py\\n…", lines["other files"]);
        Assert.Equal(SamplePrompt, prompt);
        Assert.Equal($"sample.py, cursor at line 3, column 12: {SampleTokenCount(path)} tokens; special tokens in «»", lines["prompt"]);
    }

    [SharedVocabTheory]
    [InlineData("ggml-vocab-starcoder.gguf", "starcoder2", "starcoder2 (StarCoder2), layout Psm", "«<repo_name>»workspace«<file_sep>»«<fim_prefix>»sample.py\n")]
    [InlineData("ggml-vocab-deepseek-coder.gguf", "llama", "deepseek-coder (DeepSeek-Coder V1 / V2), layout Psm", "«<｜begin▁of▁sentence｜>»«<｜fim▁begin｜>»#sample.py\n")]
    public void A_vocabulary_file_has_no_memory_kind_and_says_so(string file, string arch, string format, string promptStart)
    {
        Dictionary<string, string> lines = Inspect(new InspectOptions { ModelPath = SharedVocab.PathOf(file) }, out string prompt);

        Assert.Equal(arch, lines["architecture"]);
        Assert.StartsWith("none: a vocabulary-only file", lines["memory"], StringComparison.Ordinal);
        Assert.StartsWith("none:", lines["checkpoint"], StringComparison.Ordinal);
        Assert.StartsWith("trained for 16384 tokens", lines["context"], StringComparison.Ordinal);
        Assert.Equal(format, lines["format"]);
        Assert.StartsWith(promptStart, prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void A_codestral_model_shows_its_suffix_first_prompt_from_a_file_at_the_cursor_asked()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"inspect-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, "A.cs");
        File.WriteAllText(file, "int A()\n{\n    return 1;\n}\n");
        try
        {
            var options = new InspectOptions { ModelPath = FamilyModels.Get(FamilyModels.Codestral), FilePath = file, CursorText = "3:5" };
            Dictionary<string, string> lines = Inspect(options, out string prompt);
            Assert.Equal("codestral (Codestral / Mistral), layout Spm", lines["format"]);
            Assert.Equal("«<s>»--- A.cs ---\n«[SUFFIX]»return 1;\n}\n«[PREFIX]»int A()\n{\n    \n", prompt);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Missing_non_gguf_and_truncated_files_get_clear_errors()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"inspect-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            byte[] model = File.ReadAllBytes(TinyModels.Get(TinyArch.Llama));
            string text = Path.Combine(folder, "notes.gguf");
            File.WriteAllText(text, "not a model at all, just some text that is long enough");
            string cutData = Path.Combine(folder, "cut-data.gguf");
            File.WriteAllBytes(cutData, model[..(model.Length / 2)]);
            string cutMetadata = Path.Combine(folder, "cut-metadata.gguf");
            File.WriteAllBytes(cutMetadata, model[..200]);

            Assert.Contains("the file does not exist", Fails(Path.Combine(folder, "absent.gguf")), StringComparison.Ordinal);
            Assert.Contains("not a GGUF model file", Fails(text), StringComparison.Ordinal);
            Assert.Contains($"the file is truncated: {model.Length / 2:N0} bytes of the", Fails(cutData), StringComparison.Ordinal);
            Assert.Contains("the file is truncated (its metadata or tensor table ends early)", Fails(cutMetadata), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_command_exits_1_on_a_bad_model_and_refuses_unknown_formats()
    {
        Assert.Equal(1, await new InspectCommand().RunAsync(new ArgReader([Path.Combine(Path.GetTempPath(), "absent-model.gguf")])));
        UsageException e = await Assert.ThrowsAsync<UsageException>(() => new InspectCommand().RunAsync(new ArgReader(["m.gguf", "--format", "nope"])));
        Assert.Contains(string.Join(", ", PromptFormats.Names), e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UsageException>(() => new InspectCommand().RunAsync(new ArgReader([])));
    }

    /// <summary>The sample's token count from a plan built here, apart from the command.</summary>
    private static int SampleTokenCount(string model)
    {
        using var weights = LLama.LLamaWeights.LoadFromFile(new LLama.Common.ModelParams(model) { VocabOnly = true });
        var plan = new Core.Context.ContextPlan(new Llama.LlamaTokenizer(weights.NativeHandle), new Core.Context.ContextSettings { ContextSize = 16384 });
        plan.Open("s", "sample.py", ModelInspector.SampleText);
        plan.SetActive("s", "def greet(name):\n    message = \"Hello, \" + name\n    return ".Length);
        return plan.Build().Tokens.Length;
    }

    private static string Fails(string path) =>
        Assert.Throws<InvalidModelFileException>(() => ModelInspector.Run(new InspectOptions { ModelPath = path }, new StringWriter())).Message;

    /// <summary>The "key  value" lines by key, and the prompt between the scissors.</summary>
    private static Dictionary<string, string> Inspect(InspectOptions options, out string prompt)
    {
        var output = new StringWriter();
        ModelInspector.Run(options, output);
        string text = output.ToString();
        int start = text.IndexOf("-----8<-----\n", StringComparison.Ordinal);
        int end = text.IndexOf("----->8-----", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, text);
        prompt = text[(start + 13)..end];
        return text[..start].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..13].TrimEnd(), l => l[13..]);
    }
}
