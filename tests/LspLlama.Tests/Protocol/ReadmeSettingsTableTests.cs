using System.Text.Json;
using System.Text.RegularExpressions;
using LspLlama.Server.Settings;
using Xunit;

namespace LspLlama.Tests.Protocol;

/// <summary>The README's settings table lists every key the binders read, and nothing else.</summary>
public sealed partial class ReadmeSettingsTableTests
{
    [Fact]
    public void The_readme_table_lists_exactly_the_keys_the_binders_read()
    {
        SortedSet<string> documented = DocumentedKeys(File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md")));
        SortedSet<string> read = ReadKeys();
        Assert.NotEmpty(read);
        Assert.Contains("completion.tabSize", read);
        Assert.Empty(read.Except(documented)); // read by a binder, missing from the README
        Assert.Empty(documented.Except(read)); // in the README, read by no binder
    }

    [Fact]
    public void The_table_parser_reads_shared_rows()
    {
        string[] lines =
        [
            "| key | default | meaning |",
            "|---|---|---|",
            "| `model.batchSize` / `microBatchSize` | 512 / 512 | batches; see `context.layout` |",
            "| `log.level` | `information` | level |",
            "",
            "| `other.table` | x | y |",
        ];
        Assert.Equal(["log.level", "model.batchSize", "model.microBatchSize"], DocumentedKeys(lines));
    }

    /// <summary>Every key a binder asks for, found by binding an empty object for each section.</summary>
    private static SortedSet<string> ReadKeys()
    {
        string json = JsonSerializer.Serialize(SettingsBinder.SectionNames.ToDictionary(s => s, _ => new Dictionary<string, int>()));
        SettingsProblems problems = new();
        SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse(json).RootElement, problems);
        Assert.Empty(problems.Warnings);
        return new SortedSet<string>(problems.AskedKeys, StringComparer.Ordinal);
    }

    /// <summary>
    /// The keys in the first cell of each row of the table under "| key | default | meaning |";
    /// a cell may list several keys of one section: <c>`model.batchSize` / `microBatchSize`</c>.
    /// </summary>
    private static SortedSet<string> DocumentedKeys(IEnumerable<string> lines)
    {
        SortedSet<string> keys = new(StringComparer.Ordinal);
        bool inTable = false;
        foreach (string line in lines)
        {
            if (line.Trim() == "| key | default | meaning |")
            {
                inTable = true;
                continue;
            }

            if (!inTable || line.StartsWith("|---", StringComparison.Ordinal))
            {
                continue;
            }

            if (!line.StartsWith('|'))
            {
                break;
            }

            string firstCell = line.Split('|')[1];
            string? section = null;
            foreach (Match m in Code().Matches(firstCell))
            {
                string name = m.Groups[1].Value;
                int dot = name.IndexOf('.', StringComparison.Ordinal);
                section = dot > 0 ? name[..dot] : section;
                keys.Add(dot > 0 ? name : $"{section}.{name}");
            }
        }

        return keys;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LspLlama.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (LspLlama.sln) is not above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();
}
