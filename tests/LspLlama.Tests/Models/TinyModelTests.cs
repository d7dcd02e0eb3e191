using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Native;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

public sealed class TinyModelTests
{
    [Theory]
    [InlineData(TinyArch.Llama)]
    [InlineData(TinyArch.GraniteHybrid)]
    public void Builds_loads_tokenizes_fim_and_decodes(TinyArch arch)
    {
        using var runner = new ModelRunner(TinyModels.Get(arch));
        var tokenizer = new LlamaTokenizer(runner.Model);

        Assert.Equal(GeneratedVocabulary.FimPrefix, tokenizer.Special.FimPrefix);
        Assert.Equal(GeneratedVocabulary.FimSuffix, tokenizer.Special.FimSuffix);
        Assert.Equal(GeneratedVocabulary.FimMiddle, tokenizer.Special.FimMiddle);
        Assert.Equal(GeneratedVocabulary.RepoName, tokenizer.Special.FimRepo);
        Assert.Equal(GeneratedVocabulary.FileSeparator, tokenizer.Special.FimFileSeparator);
        Assert.False(tokenizer.Special.AddBos);

        const string prefix = "public int Count => _counts.Count;\n    public void ";
        const string suffix = "\n}\n";
        int[] prompt = tokenizer.Tokenize($"<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>", parseSpecial: true);
        Assert.Equal(GeneratedVocabulary.FimPrefix, prompt[0]);
        Assert.Equal(GeneratedVocabulary.FimMiddle, prompt[^1]);
        Assert.Contains(GeneratedVocabulary.FimSuffix, prompt);

        // Learned merges make tokens longer than one byte.
        int[] plain = tokenizer.Tokenize(prefix);
        Assert.True(plain.Length < prefix.Length / 2, $"{plain.Length} tokens for {prefix.Length} characters");

        float[] logits = runner.Decode(prompt, 0);
        Assert.Equal(tokenizer.VocabularySize, logits.Length);
        Assert.All(logits, l => Assert.True(float.IsFinite(l)));
        Assert.True(logits.Max() > logits.Min(), "random weights should give distinct logits");
        Assert.Equal(prompt.Length - 1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));
    }
}
