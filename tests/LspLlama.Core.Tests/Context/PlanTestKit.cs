using System.Text;
using LspLlama.Core.Context;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Tests.Context;

internal static class PlanTestKit
{
    public static string Decode(ITokenizer tokenizer, ReadOnlySpan<int> tokens)
    {
        var bytes = new List<byte>();
        foreach (int t in tokens)
        {
            bytes.AddRange(tokenizer.TokenBytes(t).ToArray());
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    public static string Decode(ITokenizer tokenizer, PlanBuild build) => Decode(tokenizer, build.Tokens.Span);

    public static string[] Order(PlanBuild build) => [.. build.Segments.Select(s => s.Uri)];

    /// <summary>A code-like file of about <paramref name="lines"/> lines.</summary>
    public static string Code(string name, int lines, string newline = "\n")
    {
        var sb = new StringBuilder();
        sb.Append("namespace ").Append(name).Append(';').Append(newline).Append(newline);
        for (int i = 0; i < lines; i++)
        {
            sb.Append("    int ").Append(name).Append(i).Append(" = Compute(").Append(i).Append(");").Append(newline);
        }

        return sb.ToString();
    }
}
