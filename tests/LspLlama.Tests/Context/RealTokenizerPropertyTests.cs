using LLama;
using LLama.Common;
using LspLlama.Core.Context;
using LspLlama.Llama;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Context;

/// <summary>Incremental tokenization equals whole tokenization with llama.cpp's own tokenizers.</summary>
public sealed class RealTokenizerPropertyTests
{
    [Fact]
    public void GeneratedBpeVocabulary()
    {
        using LLamaWeights weights = LoadVocab(TinyModels.Get(TinyArch.Llama));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        for (int seed = 1; seed <= 3; seed++)
        {
            EditScript.Check(tokenizer, seed, documents: 8, edits: 40);
        }
    }

    [Fact]
    public void GeneratedBpeVocabularyOnLongLines()
    {
        using LLamaWeights weights = LoadVocab(TinyModels.Get(TinyArch.Llama));
        EditScript.CheckLongLines(new LlamaTokenizer(weights.NativeHandle), seed: 1, documents: 2, edits: 30);
    }

    [SharedVocabTheory]
    [InlineData("ggml-vocab-starcoder.gguf", 30)]
    [InlineData("ggml-vocab-deepseek-coder.gguf", 8)]
    public void SharedCodeVocabulariesOnLongLines(string file, int edits)
    {
        using LLamaWeights weights = LoadVocab(SharedVocab.PathOf(file));
        EditScript.CheckLongLines(new LlamaTokenizer(weights.NativeHandle), seed: 2, documents: 2, edits: edits);
    }

    [SharedVocabTheory]
    [InlineData("ggml-vocab-starcoder.gguf")]
    [InlineData("ggml-vocab-deepseek-coder.gguf")]
    public void SharedCodeVocabularies(string file)
    {
        using LLamaWeights weights = LoadVocab(SharedVocab.PathOf(file));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        // Two seeds: DeepSeek-Coder's pre-tokenizer runs several std::regex passes and is slow.
        for (int seed = 1; seed <= 2; seed++)
        {
            EditScript.Check(tokenizer, seed, documents: 8, edits: 40);
        }
    }

    [SharedVocabTheory]
    [InlineData("ggml-vocab-starcoder.gguf", FimLayout.Psm, true)]
    [InlineData("ggml-vocab-starcoder.gguf", FimLayout.Spm, false)]
    [InlineData("ggml-vocab-deepseek-coder.gguf", FimLayout.Psm, true)]
    [InlineData("ggml-vocab-deepseek-coder.gguf", FimLayout.Psm, false)]
    public void PlanUsesTheVocabularysFimTokens(string file, FimLayout expected, bool cursorLineInMiddle)
    {
        using LLamaWeights weights = LoadVocab(SharedVocab.PathOf(file));
        var tokenizer = new LlamaTokenizer(weights.NativeHandle);
        var plan = new ContextPlan(tokenizer, new ContextSettings { CursorLineInMiddle = cursorLineInMiddle });
        plan.Open("a", "a.cs", "int a = 1;\n");
        plan.Open("b", "b.cs", "int main() {}\n");
        plan.SetActive("b", "int main() {".Length);
        PlanBuild build = plan.Build();
        Assert.Equal(expected, plan.Layout);
        ReadOnlySpan<int> t = build.Tokens.Span;
        if (expected == FimLayout.Psm && cursorLineInMiddle)
        {
            // <PRE>lines before<SUF>suffix<MID>the cursor's line up to the cursor.
            Assert.Equal(tokenizer.Special.FimSuffix, t[build.Hints.SuffixStart]);
            Assert.Equal(tokenizer.Special.FimMiddle, t[build.Hints.CursorLineStart - 1]);
            Assert.Equal(t.Length, build.Hints.PrefixEnd);
        }
        else if (expected == FimLayout.Psm)
        {
            // <PRE>prefix up to the cursor<SUF>suffix<MID>.
            Assert.Equal(tokenizer.Special.FimMiddle, t[^1]);
            Assert.Equal(tokenizer.Special.FimSuffix, t[build.Hints.PrefixEnd]);
        }
        else
        {
            // StarCoder's SPM: <fim_prefix><fim_suffix>suffix<fim_middle>prefix, the cursor at the end.
            Assert.Equal(t.Length, build.Hints.PrefixEnd);
            Assert.Equal(tokenizer.Special.FimSuffix, t[t.IndexOf(tokenizer.Special.FimPrefix!.Value) + 1]);
        }
        if (tokenizer.Special.AddBos)
        {
            Assert.Equal(tokenizer.Special.Bos, t[0]);
        }

        // StarCoder2 spells its repository tokens <repo_name>/<file_sep>, which llama.cpp does not detect; its format
        // finds them. DeepSeek-Coder has none: each file starts with a #path comment line.
        var bytes = new List<byte>();
        foreach (int id in t)
        {
            bytes.AddRange(tokenizer.TokenBytes(id).ToArray());
        }

        string text = System.Text.Encoding.UTF8.GetString([.. bytes]);
        Assert.StartsWith(file.Contains("starcoder", StringComparison.Ordinal) ? "<repo_name>workspace<file_sep>a.cs\n" : "<｜begin▁of▁sentence｜>#a.cs\n", text, StringComparison.Ordinal);
    }

    private static LLamaWeights LoadVocab(string path) =>
        LLamaWeights.LoadFromFile(new ModelParams(path) { VocabOnly = true, GpuLayerCount = 0 });
}
