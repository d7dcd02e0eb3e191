using System.Globalization;
using System.Text;
using LspLlama.Core.Tokens;

namespace LspLlama.Bench;

/// <summary>
/// Deterministic, realistic-looking C# files for the planning benchmark: classes with fields,
/// documented methods, loops, conditions, string literals and the odd non-ASCII comment.
/// </summary>
public static class PlanWorkspace
{
    private static readonly string[] s_nouns =
        ["Order", "Invoice", "Customer", "Shipment", "Payment", "Account", "Report", "Ledger", "Product", "Session", "Token", "Cache"];

    private static readonly string[] s_verbs = ["Compute", "Load", "Validate", "Merge", "Render", "Apply", "Collect", "Resolve", "Update", "Find"];

    private static readonly string[] s_comments =
    [
        "Keeps the order stable so callers can diff results.",
        "Cheap path first: most calls hit the cache.",
        "The café and the über-store share one ledger (naïve, but fast).",
        "Values are clamped; negative totals make no sense here.",
        "日本語のコメント: keep it short.",
        "Returns early when there is nothing to do.",
    ];

    /// <summary>Files whose tokens add up to about <paramref name="totalTokens"/>.</summary>
    public static IReadOnlyList<(string Path, string Text)> Generate(ITokenizer tokenizer, int files, int totalTokens, int seed)
    {
        var rng = new Random(seed);
        var result = new List<(string, string)>(files);
        int perFile = Math.Max(1, totalTokens / files);
        for (int f = 0; f < files; f++)
        {
            string noun = s_nouns[f % s_nouns.Length];
            string name = noun + (f / s_nouns.Length == 0 ? "" : (f / s_nouns.Length).ToString(CultureInfo.InvariantCulture));
            var sb = new StringBuilder();
            sb.Append("using System;\nusing System.Collections.Generic;\nusing System.Linq;\n\nnamespace Demo.")
              .Append(name).Append(";\n\n/// <summary>Services around ").Append(noun).Append(" records.</summary>\n")
              .Append("public sealed class ").Append(name).Append("Service\n{\n")
              .Append("    private readonly Dictionary<string, int> _cache = new(StringComparer.Ordinal);\n")
              .Append("    private int _calls;\n");
            int tokens = tokenizer.Tokenize(sb.ToString()).Length;
            for (int m = 0; tokens < perFile - 8; m++)
            {
                string method = Method(rng, noun, m);
                tokens += tokenizer.Tokenize(method).Length;
                sb.Append(method);
            }

            sb.Append("}\n");
            result.Add(($"src/Demo/{name}Service.cs", sb.ToString()));
        }

        return result;
    }

    private static string Method(Random rng, string noun, int m)
    {
        string verb = s_verbs[rng.Next(s_verbs.Length)];
        int a = rng.Next(2, 500), b = rng.Next(2, 9);
        string field = char.ToLowerInvariant(noun[0]) + noun[1..];
        var sb = new StringBuilder();
        sb.Append("\n    /// <summary>").Append(s_comments[rng.Next(s_comments.Length)]).Append("</summary>\n")
          .Append("    public int ").Append(verb).Append(noun).Append(m.ToString(CultureInfo.InvariantCulture))
          .Append("(IReadOnlyList<").Append(noun).Append("> items, int limit)\n    {\n")
          .Append("        int total = 0;\n")
          .Append("        for (int i = 0; i < items.Count && i < limit; i++)\n        {\n")
          .Append("            var ").Append(field).Append(" = items[i];\n")
          .Append("            if (").Append(field).Append(".Amount > ").Append(a.ToString(CultureInfo.InvariantCulture)).Append(")\n            {\n")
          .Append("                total += ").Append(field).Append(".Amount * ").Append(b.ToString(CultureInfo.InvariantCulture)).Append(";\n")
          .Append("            }\n            else if (_cache.TryGetValue(").Append(field).Append(".Name, out int cached))\n            {\n")
          .Append("                total -= cached;\n            }\n        }\n\n")
          .Append("        _calls++;\n")
          .Append("        return total < 0 ? throw new InvalidOperationException(\"").Append(verb).Append(" gave a negative total\") : total;\n")
          .Append("    }\n");
        return sb.ToString();
    }
}
