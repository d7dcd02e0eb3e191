using System.Globalization;
using System.Text;
using LLama;
using LLama.Common;
using LspLlama.Llama;
using LspLlama.Native;
using LspLlama.Server.Settings;

namespace LspLlama.Bench;

/// <summary>
/// C#-like files that together fill about <see cref="FillFraction"/> of the plan's budget, counted with
/// the model's own tokenizer so the plan keeps them all (above its budget it would evict whole
/// files). Deterministic, so every start of the benchmark plans the same sequence.
/// </summary>
public static class RestartWorkspace
{
    /// <summary>Of the plan's budget (the context less the generation reserve), leaving room for the FIM layout.</summary>
    public const double FillFraction = 0.9;

    private const int Files = 8;

    public static IReadOnlyList<(string Path, string Text)> Generate(string workspace, string model, int contextTokens)
    {
        NativeLogRouting.EnsureConfigured();
        using LLamaWeights vocabulary = LLamaWeights.LoadFromFile(new ModelParams(model) { VocabOnly = true });
        var tokenizer = new LlamaTokenizer(vocabulary.NativeHandle);
        int budget = contextTokens - ServerSettings.Default.Context.Plan.GenerationReserve;
        int tokensPerFile = (int)(budget * FillFraction / Files);
        var files = new List<(string, string)>(Files);
        for (int f = 0; f < Files; f++)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"namespace Sample.Area{f};\n\ninternal sealed class Worker{f}\n{{\n");
            int tokens = tokenizer.Tokenize(text.ToString()).Length;
            for (int m = 0; ; m++)
            {
                string method = string.Create(CultureInfo.InvariantCulture,
                    $"    public int Step{m}(int value)\n    {{\n        int scaled = value * {(m % 7) + 2} + {f};\n        return scaled > {m} ? Step{Math.Max(0, m - 1)}(scaled - {m + 1}) : scaled;\n    }}\n\n");
                int methodTokens = tokenizer.Tokenize(method).Length;
                if (tokens + methodTokens > tokensPerFile)
                {
                    break;
                }

                text.Append(method);
                tokens += methodTokens;
            }

            // The last file ends where the completion is asked for, mid-expression.
            text.Append(f == Files - 1 ? "    public int Total(int value) => " : "}\n");
            string path = Path.Combine(workspace, $"Worker{f}.cs");
            File.WriteAllText(path, text.ToString());
            files.Add((path, text.ToString()));
        }

        return files;
    }
}
