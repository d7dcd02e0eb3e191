using System.Text;
using LLama;
using LLama.Common;
using LspLlama.Core.Tokens;
using LspLlama.Llama;
using LspLlama.Models;
using LspLlama.Native;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Models;

/// <summary>A real code tokenizer copied from StarCoder's vocab-only GGUF, in a tiny model and on its own.</summary>
public sealed class StarCoderVocabTests
{
    [SharedVocabFact]
    public void Tiny_model_with_the_starcoder_tokenizer_keeps_its_fim_tokens_and_decodes()
    {
        string path = TinyModels.Get(new ModelBuildOptions { Arch = TinyArch.GraniteHybrid, VocabPath = SharedVocab.StarCoder });
        using var runner = new ModelRunner(path);
        var tokenizer = new LlamaTokenizer(runner.Model);

        Assert.Equal(49152, tokenizer.VocabularySize);
        Assert.Equal(new SpecialTokens(0, 0, 1, 3, 2, 4, null, null, false), tokenizer.Special);
        int[] prompt = tokenizer.Tokenize("<fim_prefix>int main() {<fim_suffix>}<fim_middle>", parseSpecial: true);
        Assert.Equal([1, 429, 2594, 365, 320, 3, 130, 2], prompt);

        float[] logits = runner.Decode(prompt, 0);
        Assert.Equal(49152, logits.Length);
        Assert.All(logits, l => Assert.True(float.IsFinite(l)));
        Assert.Equal(prompt.Length - 1, LlamaMemory.SequenceMaxPosition(runner.Handle, 0));
    }

    [SharedVocabFact]
    public void Tokenizer_matches_llama_cpp_test_cases_and_bytes_round_trip()
    {
        var parameters = new ModelParams(SharedVocab.StarCoder) { VocabOnly = true };
        using LLamaWeights weights = LLamaWeights.LoadFromFile(parameters);
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);

        string[] inputs = File.ReadAllText(SharedVocab.StarCoder + ".inp").Split("\n__ggml_vocab_test__\n")[..^1];
        string[] outputs = File.ReadAllLines(SharedVocab.StarCoder + ".out");
        Assert.Equal(46, inputs.Length);
        for (int i = 0; i < inputs.Length; i++)
        {
            int[] expected = outputs[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            int[] tokens = tokenizer.Tokenize(inputs[i]);
            Assert.Equal(expected, tokens);
            Assert.Equal(Encoding.UTF8.GetBytes(inputs[i]), tokens.SelectMany(t => tokenizer.TokenBytes(t).ToArray()).ToArray());
        }

        // Control tokens render as their text; FIM pad ends generation, ordinary text does not.
        Assert.Equal("<fim_prefix>"u8.ToArray(), tokenizer.TokenBytes(1).ToArray());
        Assert.True(tokenizer.IsEndOfGeneration(0));
        Assert.True(tokenizer.IsEndOfGeneration(4));
        Assert.False(tokenizer.IsEndOfGeneration(429));
    }
}
