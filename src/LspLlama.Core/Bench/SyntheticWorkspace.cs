using System.Globalization;
using System.Text;

namespace LspLlama.Core.Bench;

/// <summary>
/// C# source files made up from a seed, for when the workspace folder holds too little source to
/// reach the context target. They look like ordinary code (namespaces, classes, methods, comments,
/// braces and indentation), so typing, line breaks and tokenization behave as they do on real code.
/// </summary>
public static class SyntheticWorkspace
{
    private static readonly string[] s_nouns =
        ["Buffer", "Segment", "Token", "Document", "Cursor", "Range", "Session", "Plan", "Window", "Cache", "Index", "Edit"];

    private static readonly string[] s_verbs =
        ["Apply", "Find", "Split", "Merge", "Measure", "Restore", "Trim", "Count", "Render", "Load", "Save", "Check"];

    private static readonly string[] s_types = ["int", "long", "string", "bool", "double"];

    /// <summary>Files of about <paramref name="bytesPerFile"/> characters each, until <paramref name="totalBytes"/> is reached.</summary>
    public static IReadOnlyList<(string RelativePath, string Text)> Generate(int seed, int totalBytes, int bytesPerFile = 8_000)
    {
        TraceRandom random = new(seed);
        List<(string, string)> files = [];
        int total = 0;
        for (int n = 0; total < totalBytes; n++)
        {
            string name = random.Pick(s_nouns) + random.Pick(s_verbs) + "er" + n.ToString(CultureInfo.InvariantCulture);
            string text = File(random, name, bytesPerFile);
            files.Add(($"src/{name}.cs", text));
            total += text.Length;
        }

        return files;
    }

    private static string File(TraceRandom random, string name, int size)
    {
        StringBuilder sb = new();
        sb.Append("namespace Synthetic.Workspace;\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"/// <summary>Keeps the {name} state in step with its inputs.</summary>\n");
        sb.Append(CultureInfo.InvariantCulture, $"internal sealed class {name}\n{{\n");
        int m = 0;
        while (sb.Length < size)
        {
            string type = random.Pick(s_types);
            string method = random.Pick(s_verbs) + random.Pick(s_nouns) + m.ToString(CultureInfo.InvariantCulture);
            string field = "_" + char.ToLowerInvariant(random.Pick(s_nouns)[0]) + random.Pick(s_nouns)[1..] + m.ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"    private {type} {field};\n\n");
            sb.Append(CultureInfo.InvariantCulture, $"    // {random.Pick(s_verbs)}s the {random.Pick(s_nouns).ToLowerInvariant()} before the {random.Pick(s_nouns).ToLowerInvariant()} changes.\n");
            sb.Append(CultureInfo.InvariantCulture, $"    public {type} {method}(int count, string name)\n    {{\n");
            int statements = random.Next(3, 9);
            for (int s = 0; s < statements; s++)
            {
                int k = random.Next(100);
                sb.Append(random.Next(4) switch
                {
                    0 => FormattableString.Invariant($"        if (count > {k})\n        {{\n            count -= {k};\n        }}\n"),
                    1 => FormattableString.Invariant($"        for (int i = 0; i < count; i++)\n        {{\n            name += i.ToString();\n        }}\n"),
                    2 => FormattableString.Invariant($"        var {random.Pick(s_nouns).ToLowerInvariant()}{s} = count * {k} + name.Length;\n"),
                    _ => FormattableString.Invariant($"        count = Math.Max(count, name.Length + {k});\n"),
                });
            }

            sb.Append(type switch
            {
                "string" => "        return name;\n",
                "bool" => "        return count > 0;\n",
                _ => FormattableString.Invariant($"        return ({type})count;\n"),
            });
            sb.Append("    }\n\n");
            m++;
        }

        sb.Append("}\n");
        return sb.ToString();
    }
}
