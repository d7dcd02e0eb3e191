using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Core.Tests.Bench;

public sealed class TraceGeneratorTests
{
    /// <summary>Small files with the awkward cases: CRLF, lone CR, characters outside the BMP, tabs, empty lines.</summary>
    private static readonly SourceFile[] s_awkward =
    [
        new("file:///w/crlf.cs", "csharp", "class A\r\n{\r\n    int x; // \U0001F600 emoji\r\n\r\n    void F() { }\r\n}\r\n"),
        new("file:///w/mixed.py", "python", "def f(x):\n\treturn x  # ünïcödé\r\n\nclass B:\r    pass\n"),
        new("file:///w/empty-lines.ts", "typescript", "\n\n\nexport const a = 1;\n\n\n"),
        new("file:///w/noeol.rs", "rust", "fn main() { println!(\"\U0001D11E\"); }"),
    ];

    private static IReadOnlyList<SourceFile> Synthetic(int totalBytes) =>
        [.. SyntheticWorkspace.Generate(7, totalBytes).Select(f => new SourceFile("file:///s/" + f.RelativePath, "csharp", f.Text))];

    [Fact]
    public void The_same_seed_gives_the_same_trace_and_another_seed_another()
    {
        IReadOnlyList<SourceFile> files = Synthetic(60_000);
        TraceGeneratorOptions options = new(Seed: 42, Syncs: 80, ContextTokens: 12_000);
        EditTrace a = new TraceGenerator(files, options).Generate("/s");
        EditTrace b = new TraceGenerator([.. files.Reverse()], options).Generate("/s");
        EditTrace c = new TraceGenerator(files, options with { Seed = 43 }).Generate("/s");

        Assert.Equal(a.Events, b.Events);
        Assert.NotEqual(a.Events, c.Events);
        Assert.Equal(options, a.Header.Generator);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Every_event_is_valid_for_the_text_the_server_will_have(int seed)
    {
        EditTrace trace = new TraceGenerator(s_awkward, new TraceGeneratorOptions(Seed: seed, Syncs: 150, ContextTokens: 10_000)).Generate("/w");
        Assert.Empty(TracePlayback.Validate(trace));
        Assert.Equal(150, trace.CompletionCount);

        // Keystrokes never split a surrogate pair and line breaks keep the file's own style.
        foreach (TraceEdit edit in trace.Events.OfType<TraceEdit>())
        {
            foreach (TraceChange change in edit.Changes)
            {
                Assert.False(change.Text.Length > 0 && char.IsLowSurrogate(change.Text[0]), $"change starts inside a pair: {edit}");
                Assert.False(change.Text.Length > 0 && char.IsHighSurrogate(change.Text[^1]), $"change ends inside a pair: {edit}");
            }
        }
    }

    [Fact]
    public void The_default_trace_reaches_200_syncs_and_a_32k_token_context()
    {
        IReadOnlyList<SourceFile> files = Synthetic(200_000);
        TraceGeneratorOptions options = TraceGeneratorOptions.Default;
        EditTrace trace = new TraceGenerator(files, options).Generate("/s");

        Assert.True(trace.CompletionCount >= 200, $"{trace.CompletionCount} syncs");
        int initial = trace.Events.TakeWhile(e => e is TraceOpen).Cast<TraceOpen>().Sum(o => TraceGenerator.EstimateTokens(o.Text));
        Assert.True(initial >= 32_000, $"{initial} tokens open at the start");
        Assert.True(options.ContextTokens >= 32_000);

        // The context stays at the target while files are closed and opened.
        TracePlayback playback = new();
        int least = int.MaxValue;
        foreach (TraceEvent e in trace.Events)
        {
            Assert.Null(playback.TryApply(e));
            if (e is TraceCompletion)
            {
                least = Math.Min(least, playback.OpenUris.Sum(u => TraceGenerator.EstimateTokens(playback.TextOf(u))));
            }
        }

        Assert.True(least >= 32_000, $"the context fell to {least} tokens");
    }

    [Fact]
    public void The_mix_is_mostly_typing_with_every_other_kind_of_edit_present()
    {
        EditTrace trace = new TraceGenerator(Synthetic(100_000), new TraceGeneratorOptions(Seed: 9, Syncs: 400, ContextTokens: 20_000)).Generate("/s");
        TraceMix mix = TraceMix.Of(trace);

        // Typing dominates, as in real sessions; each other kind shows up in a fair share.
        Assert.InRange((double)mix.Keystrokes / mix.Edits, 0.60, 0.95);
        Assert.InRange((double)(mix.Keystrokes + mix.Newlines + mix.Deletions) / mix.Completions, 2.0, 6.0);
        Assert.True(mix.Newlines >= 10, $"{mix.Newlines} new lines");
        Assert.True(mix.Deletions >= 20, $"{mix.Deletions} deletions");
        Assert.True(mix.Pastes >= 3, $"{mix.Pastes} pastes");
        Assert.True(mix.OtherFileEdits >= 5, $"{mix.OtherFileEdits} edits in other files");
        Assert.True(mix.Jumps >= 15, $"{mix.Jumps} jumps");
        Assert.True(mix.Switches >= 8, $"{mix.Switches} switches");
        Assert.True(mix.Closes >= 3, $"{mix.Closes} closes");
        Assert.True(mix.Reopens >= 1, $"{mix.Reopens} re-opens");
        Assert.Equal(0, mix.OtherEdits);
    }

    [Theory]
    [InlineData(0.5, 0.40, 0.65)]
    [InlineData(1.0, 0.0, 0.20)]
    public void Switches_favour_recently_used_files_as_the_recency_decay_says(double decay, double least, double most)
    {
        EditTrace trace = new TraceGenerator(Synthetic(120_000), new TraceGeneratorOptions(Seed: 5, Syncs: 3000, ContextTokens: 24_000, RecencyDecay: decay)).Generate("/s");
        List<int> ranks = SwitchRanks(trace);
        Assert.True(ranks.Count >= 60, $"{ranks.Count} switches");
        double toPrevious = ranks.Count(r => r == 0) / (double)ranks.Count;
        Assert.InRange(toPrevious, least, most);
        if (decay < 1)
        {
            Assert.True(ranks.Count(r => r <= 3) >= 0.8 * ranks.Count, $"ranks: {string.Join(",", ranks)}");
        }
    }

    /// <summary>For every switch, the target's rank among the other open files, most recently used first.</summary>
    private static List<int> SwitchRanks(EditTrace trace)
    {
        List<string> used = []; // least recently used first
        HashSet<string> open = new(StringComparer.Ordinal);
        string? active = null;
        List<int> ranks = [];
        void Use(string uri)
        {
            used.Remove(uri);
            used.Add(uri);
        }

        foreach (TraceEvent e in trace.Events)
        {
            switch (e)
            {
                case TraceOpen o:
                    open.Add(o.Uri);
                    Use(o.Uri);
                    break;
                case TraceClose c:
                    open.Remove(c.Uri);
                    break;
                case TraceEdit edit:
                    Use(edit.Uri);
                    break;
                case TraceFocus f:
                    if (active is not null && f.Uri != active)
                    {
                        List<string> others = [.. used.Where(u => open.Contains(u) && u != active).Reverse()];
                        ranks.Add(others.IndexOf(f.Uri));
                    }

                    active = f.Uri;
                    Use(f.Uri);
                    break;
            }
        }

        return ranks;
    }

    [Fact]
    public void Typing_happens_at_the_cursor_the_completion_reports()
    {
        EditTrace trace = new TraceGenerator(s_awkward, new TraceGeneratorOptions(Seed: 3, Syncs: 100, ContextTokens: 1_000)).Generate("/w");
        TracePlayback playback = new();
        TraceEdit? lastKeystroke = null;
        int checkedCount = 0;
        foreach (TraceEvent e in trace.Events)
        {
            playback.TryApply(e);
            switch (e)
            {
                case TraceEdit { Changes: [{ Range: TraceRange r, Text.Length: 1 }] } key when r.Start == r.End && key.Uri == playback.ActiveUri:
                    lastKeystroke = key;
                    break;
                case TraceCompletion c when lastKeystroke is not null && c.Uri == lastKeystroke.Uri:
                    TracePosition typedAt = lastKeystroke.Changes[0].Range!.Value.Start;
                    Assert.Equal(typedAt with { Character = typedAt.Character + 1 }, c.Position);
                    checkedCount++;
                    lastKeystroke = null;
                    break;
                default:
                    lastKeystroke = null;
                    break;
            }
        }

        Assert.True(checkedCount > 30, $"only {checkedCount} completions right after a keystroke");
    }

    [Fact]
    public void Versions_grow_per_document_and_reopened_documents_keep_growing()
    {
        EditTrace trace = new TraceGenerator(Synthetic(80_000), new TraceGeneratorOptions(Seed: 5, Syncs: 300, ContextTokens: 8_000)).Generate("/s");
        Dictionary<string, int> last = [];
        foreach (TraceEvent e in trace.Events)
        {
            int? version = e switch { TraceOpen o => o.Version, TraceEdit d => d.Version, _ => null };
            if (version is int v)
            {
                Assert.True(!last.TryGetValue(e.Uri, out int before) || v > before, $"{e.Uri}: {v} after {before}");
                last[e.Uri] = v;
            }
        }
    }

    [Fact]
    public void No_files_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => new TraceGenerator([], TraceGeneratorOptions.Quick));
    }
}
