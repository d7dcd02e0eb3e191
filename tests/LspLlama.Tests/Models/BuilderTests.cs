using LspLlama.Cli;
using LspLlama.Core.Tokens;
using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

public sealed class BuilderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lspllama-builder-").FullName;

    [Fact]
    public void Same_seed_and_options_give_byte_identical_files()
    {
        var options = new ModelBuildOptions { Arch = TinyArch.GraniteHybrid, Seed = 42 };
        string first = Path.Combine(_folder, "a.gguf");
        string second = Path.Combine(_folder, "b.gguf");
        string otherSeed = Path.Combine(_folder, "c.gguf");

        TinyModelBuilder.Build(options, first);
        TinyModelBuilder.Build(options, second);
        TinyModelBuilder.Build(options with { Seed = 43 }, otherSeed);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(otherSeed));
        Assert.Equal(new FileInfo(first).Length, new FileInfo(otherSeed).Length);
    }

    [Theory]
    [InlineData(TinyArch.GraniteHybrid, 64, null, 64, "SSM inner size of 2 × embedding = 128, not 64")]
    [InlineData(TinyArch.Llama, 64, 3, null, "head count (3) must divide the embedding (64)")]
    [InlineData(TinyArch.Llama, 60, null, null, "--embd must be a multiple of 8")]
    [InlineData(TinyArch.Qwen35, 64, 16, null, "head dimension embedding/heads = 4 must be even (a multiple of 8 for qwen35)")]
    [InlineData(TinyArch.Mamba2, 64, null, 24, "SSM inner size must be a positive multiple of 16")]
    [InlineData(TinyArch.Qwen35, 64, null, 128, "qwen35 needs value heads as wide as the state size")]
    public void Impossible_sizes_are_refused_before_any_native_call(TinyArch arch, int embd, int? heads, int? inner, string problem)
    {
        var options = new ModelBuildOptions { Arch = arch, Embedding = embd, HeadCount = heads, SsmInnerSize = inner };
        string output = Path.Combine(_folder, "bad.gguf");

        var error = Assert.Throws<ModelBuildException>(() => TinyModelBuilder.Build(options, output));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Unwritable_or_missing_paths_are_named()
    {
        var options = new ModelBuildOptions { Arch = TinyArch.Llama };

        var missingFolder = Assert.Throws<ModelBuildException>(() => TinyModelBuilder.Build(options, Path.Combine(_folder, "no", "such", "x.gguf")));
        Assert.Contains("does not exist", missingFolder.Message, StringComparison.Ordinal);

        var isFolder = Assert.Throws<ModelBuildException>(() => TinyModelBuilder.Build(options, _folder));
        Assert.Contains("is a directory", isFolder.Message, StringComparison.Ordinal);

        string notGguf = Path.Combine(_folder, "vocab.txt");
        File.WriteAllText(notGguf, "not a model");
        var badVocab = Assert.Throws<ModelBuildException>(
            () => TinyModelBuilder.Build(options with { VocabPath = notGguf }, Path.Combine(_folder, "x.gguf")));
        Assert.Contains("is not a GGUF file", badVocab.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Make_model_command_writes_a_loadable_model()
    {
        string output = Path.Combine(_folder, "cli.gguf");
        int exit = await new MakeModelCommand().RunAsync(new ArgReader(
            ["--arch", "lfm2", "--layers", "4", "--embd", "128", "--vocab", "bpe", "--seed", "9", "-o", output]));

        Assert.Equal(0, exit);
        using var runner = new ModelRunner(output);
        Assert.Equal(4, runner.Model.LayerCount);
        Assert.Equal(128, runner.Model.EmbeddingSize);
        Assert.Equal(65536, runner.Model.ContextSize);
        Assert.True(float.IsFinite(runner.Decode(Samples.Tokens(8), 0)[0]));
    }

    [Fact]
    public async Task Make_model_command_reports_bad_input()
    {
        var unknown = Assert.Throws<UsageException>(() => MakeModelCommand.ReadOptions(new ArgReader(["--arch", "gpt9", "-o", "x.gguf"]), out _));
        Assert.Contains("unknown architecture 'gpt9'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("granitehybrid", unknown.Message, StringComparison.Ordinal);

        Assert.Throws<UsageException>(() => MakeModelCommand.ReadOptions(new ArgReader(["--arch", "llama", "-o", "x.gguf", "--seed", "-1"]), out _));
        Assert.Throws<UsageException>(() => MakeModelCommand.ReadOptions(new ArgReader(["--arch", "llama"]), out _));

        string output = Path.Combine(_folder, "bad.gguf");
        int exit = await new MakeModelCommand().RunAsync(new ArgReader(
            ["--arch", "granitehybrid", "--embd", "64", "--ssm-inner", "64", "-o", output]));
        Assert.Equal(1, exit);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Make_model_puts_a_familys_special_tokens_in_the_generated_vocabulary()
    {
        ModelBuildOptions options = MakeModelCommand.ReadOptions(new ArgReader(
            ["--arch", "llama", "-o", "x.gguf", "--special-tokens", "<s>,</s>,[PREFIX],[SUFFIX]", "--eos", "</s>", "--add-bos", "--name", "codestral-tiny"]), out _);
        Assert.Equal(["<s>", "</s>", "[PREFIX]", "[SUFFIX]"], options.SpecialTokens!.Texts);
        Assert.Equal(("<s>", "</s>", true), (options.SpecialTokens.Bos, options.SpecialTokens.Eos, options.SpecialTokens.AddBos));
        Assert.Equal("codestral-tiny", options.ModelName);
        Assert.Throws<UsageException>(() => MakeModelCommand.ReadOptions(new ArgReader(["--arch", "llama", "-o", "x.gguf", "--add-bos"]), out _));

        string output = Path.Combine(_folder, "codestral.gguf");
        Assert.Equal(0, await new MakeModelCommand().RunAsync(new ArgReader(
            ["--arch", "llama", "-o", output, "--special-tokens", "<s>,</s>,[PREFIX],[SUFFIX]", "--bos", "<s>", "--eos", "</s>", "--add-bos", "--name", "codestral-tiny"])));
        using var runner = new ModelRunner(output);
        var tokenizer = new LlamaTokenizer(runner.Model);
        Assert.Equal(new ModelFacts("llama", "qwen2", "codestral-tiny"), tokenizer.Facts);
        Assert.Equal(new SpecialTokens(256, 257, null, null, null, null, null, null, true), tokenizer.Special);
        Assert.Equal([258, 259], tokenizer.Tokenize("[PREFIX][SUFFIX]", parseSpecial: true));

        ModelBuildException bad = Assert.Throws<ModelBuildException>(() => TinyModelBuilder.Validate(
            new ModelBuildOptions { Arch = TinyArch.Llama, SpecialTokens = new FamilyTokens(["<a>", "<a>"], BosText: "<b>") }, output));
        Assert.Contains("listed twice", bad.Message, StringComparison.Ordinal);
        Assert.Contains("the BOS token '<b>' is not among the special tokens", bad.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
