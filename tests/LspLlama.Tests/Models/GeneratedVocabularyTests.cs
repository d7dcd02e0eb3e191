using System.Text;
using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

public sealed class GeneratedVocabularyTests
{
    [Fact]
    public void Has_bytes_then_control_tokens_then_learned_merges()
    {
        GeneratedVocabulary vocabulary = GeneratedVocabulary.Default;

        Assert.Equal("Ġ", vocabulary.Tokens[' ']);
        Assert.Equal("Ċ", vocabulary.Tokens['\n']);
        Assert.Equal("<|endoftext|>", vocabulary.Tokens[GeneratedVocabulary.EndOfText]);
        Assert.Equal("<|fim_prefix|>", vocabulary.Tokens[GeneratedVocabulary.FimPrefix]);
        Assert.Equal("<|file_sep|>", vocabulary.Tokens[GeneratedVocabulary.FileSeparator]);
        Assert.Equal(3, vocabulary.TokenTypes[GeneratedVocabulary.FimMiddle]);
        Assert.True(vocabulary.Merges.Count > 300, $"{vocabulary.Merges.Count} merges");

        // Merges span several characters and include the leading space of a word.
        Assert.Contains("Ġreturn", vocabulary.Tokens);
        Assert.Equal(vocabulary.Tokens.Count, vocabulary.Tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Training_is_deterministic()
    {
        const string sample = "int a = b + c;\nint d = b + c;\nreturn a + d;\n";
        GeneratedVocabulary first = GeneratedVocabulary.Train(sample);
        GeneratedVocabulary second = GeneratedVocabulary.Train(sample);
        Assert.Equal(first.Merges, second.Merges);
        Assert.Equal(first.Tokens, second.Tokens);

        // The most frequent pairs first; equal counts go to the ordinally smaller pair (';' < 'Ġ').
        Assert.Equal(["; Ċ", "Ġ +"], first.Merges.Take(2));
    }

    [Fact]
    public void Token_bytes_of_a_tokenization_give_back_the_text()
    {
        using var runner = new ModelRunner(TinyModels.Get(TinyArch.Llama));
        var tokenizer = new LlamaTokenizer(runner.Model);
        string text = "    public void Add(string name) => _items[name] = \"héllo 世界 🎉\";\r\n\t}\n<|fim_prefix|>";

        int[] tokens = tokenizer.Tokenize(text);
        Assert.Equal(Encoding.UTF8.GetBytes(text), tokens.SelectMany(t => tokenizer.TokenBytes(t).ToArray()).ToArray());

        // Without parseSpecial a control token's text is ordinary text; with it, one control token.
        Assert.DoesNotContain(GeneratedVocabulary.FimPrefix, tokens);
        Assert.Equal([GeneratedVocabulary.FimPrefix], tokenizer.Tokenize("<|fim_prefix|>", parseSpecial: true));
        Assert.Equal("<|fim_prefix|>"u8.ToArray(), tokenizer.TokenBytes(GeneratedVocabulary.FimPrefix).ToArray());
        Assert.Empty(tokenizer.Tokenize(string.Empty));

        Assert.True(tokenizer.IsEndOfGeneration(GeneratedVocabulary.EndOfText));
        Assert.True(tokenizer.IsEndOfGeneration(GeneratedVocabulary.FimPad));
        Assert.True(tokenizer.IsEndOfGeneration(GeneratedVocabulary.FileSeparator));
        Assert.False(tokenizer.IsEndOfGeneration(GeneratedVocabulary.FimPrefix));
        Assert.False(tokenizer.IsEndOfGeneration(tokens[0]));
    }
}
