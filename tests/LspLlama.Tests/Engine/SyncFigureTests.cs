using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// Completions through the protocol on real tiny models, with the figures of each request read
/// back from <c>lspllama/status</c>: what the sync kept, restored and decoded against the ideal.
/// </summary>
public sealed class SyncFigureTests
{
    internal const string A = "file:///work/a.py";
    internal const string B = "file:///work/b.py";
    internal const string C = "file:///work/c.py";

    [Theory]
    [InlineData(TinyArch.Llama)]
    [InlineData(TinyArch.GraniteHybrid)]
    public async Task Edits_decode_from_the_cursor_line_or_from_the_edited_documents_segment(TinyArch arch)
    {
        await using EngineClient client = new();
        JsonElement ready = await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(arch)));
        bool attention = arch == TinyArch.Llama;
        Assert.Equal(attention ? "attention" : "hybrid", ready.GetProperty("memoryKind").GetString());
        await OpenWorkspaceAsync(client);

        // First request: everything is decoded.
        await client.InlineAsync(C, 3, 13);
        JsonElement first = await client.StatusAsync();
        JsonElement sync = first.GetProperty("lastSync");
        Assert.Equal(sync.GetProperty("desiredTokens").GetInt32(), sync.GetProperty("decodedTokens").GetInt32());
        Assert.True(first.GetProperty("lastGeneration").GetProperty("tokens").GetInt32() >= 1);
        Assert.Equal(1, first.GetProperty("syncs").GetInt32());
        JsonElement[] segments = [.. first.GetProperty("plan").GetProperty("segments").EnumerateArray()];
        Assert.Equal([A, B, C], segments.Select(s => s.GetProperty("uri").GetString()));
        int cursorLine = first.GetProperty("plan").GetProperty("cursorLineToken").GetInt32();
        int activeStart = segments[2].GetProperty("start").GetInt32();
        Assert.True(cursorLine > activeStart);
        if (!attention)
        {
            Assert.True(first.GetProperty("checkpoints").GetProperty("count").GetInt32() >= 3);
        }

        // A keystroke at the cursor: only the cursor's line and what follows are decoded again.
        string typed = await TypeNotSuggestedAsync(client, C, 2, 3, 13);
        await client.InlineAsync(C, 3, 13 + typed.Length);
        sync = (await client.StatusAsync()).GetProperty("lastSync");
        AssertWithinCheckpointDistance(sync, attention);
        Assert.False(sync.GetProperty("fullReprocess").GetBoolean());
        int kept = sync.GetProperty("keptTokens").GetInt32();
        Assert.True(kept >= cursorLine, $"kept {kept} tokens, the cursor's line starts at {cursorLine}");
        if (!attention)
        {
            Assert.Equal(kept, sync.GetProperty("restoredFrom").GetInt32());
        }

        // An edit in the first document: it moves after b, so the sequence changes at its segment
        // start. (The request is on another line of c: at the same place the cache would answer.)
        await client.InsertAsync(A, 2, 1, 0, "    # note\n");
        await client.InlineAsync(C, 2, 18);
        JsonElement afterOther = await client.StatusAsync();
        sync = afterOther.GetProperty("lastSync");
        int aStart = segments[0].GetProperty("start").GetInt32();
        AssertWithinCheckpointDistance(sync, attention);
        int common = sync.GetProperty("commonTokens").GetInt32();
        Assert.True(common >= aStart && common < segments[1].GetProperty("start").GetInt32(), $"common prefix {common}, a starts at {aStart}");
        if (attention)
        {
            Assert.Equal(common, sync.GetProperty("keptTokens").GetInt32());
        }
        else
        {
            Assert.Equal(aStart, sync.GetProperty("restoredFrom").GetInt32());
        }

        Assert.Equal([B, A, C], SegmentUris(afterOther));
    }

    [Fact]
    public async Task Enter_at_the_end_of_a_line_decodes_a_few_tokens_not_the_suffix_window()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        await OpenWorkspaceAsync(client);

        // c.py line 2 is "def total(shapes):": the cursor at its end, then Enter with the indentation.
        await client.InlineAsync(C, 2, 18);
        JsonElement before = await client.StatusAsync();
        int suffixStart = before.GetProperty("plan").GetProperty("suffixStartToken").GetInt32();
        Assert.True(suffixStart > 0);

        await client.InsertAsync(C, 2, 2, 18, "\n    ");
        await client.InlineAsync(C, 3, 4);
        JsonElement after = await client.StatusAsync();
        JsonElement sync = after.GetProperty("lastSync");
        Assert.Equal(suffixStart, after.GetProperty("plan").GetProperty("suffixStartToken").GetInt32());
        Assert.True(sync.GetProperty("commonTokens").GetInt32() > suffixStart, sync.GetRawText());
        Assert.True(sync.GetProperty("idealTokens").GetInt32() < 12, sync.GetRawText());
        AssertWithinCheckpointDistance(sync, attention: false);
    }

    [Fact]
    public async Task A_closed_file_stays_in_context_while_it_is_on_disk_and_reopening_it_unchanged_decodes_nothing_before_the_active_file()
    {
        using TempFolder folder = new();
        Directory.CreateDirectory(folder.Path);
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        string[] uris = await OpenWorkspaceAsync(client, folder.Path);
        (string a, string b, string c) = (uris[0], uris[1], uris[2]);
        await client.InlineAsync(c, 3, 13);
        JsonElement[] segments = [.. (await client.StatusAsync()).GetProperty("plan").GetProperty("segments").EnumerateArray()];
        int activeStart = segments[2].GetProperty("start").GetInt32();

        // Closed: a keeps its place, so the next request keeps everything before c.
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(a)));
        await client.InlineAsync(c, 2, 18);
        JsonElement closed = await client.StatusAsync();
        Assert.Equal([a, b, c], SegmentUris(closed));
        Assert.True(closed.GetProperty("lastSync").GetProperty("commonTokens").GetInt32() > activeStart);
        Assert.Equal([true, false, false], closed.GetProperty("plan").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("closed").GetBoolean()));

        // Reopened unchanged: still nothing before c is decoded.
        await client.OpenAsync(a, s_texts[0]);
        await client.InlineAsync(c, 3, 13);
        JsonElement reopened = await client.StatusAsync();
        Assert.Equal([a, b, c], SegmentUris(reopened));
        Assert.True(reopened.GetProperty("lastSync").GetProperty("commonTokens").GetInt32() > activeStart);

        // Completions in the closed-then-reopened file work as in any other.
        await client.InlineAsync(a, 3, 10);
        JsonElement inA = await client.StatusAsync();
        Assert.Equal([b, c, a], SegmentUris(inA));

        // Closed again, then deleted (a branch switch): it leaves the context.
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(b)));
        File.Delete(new Uri(b).LocalPath);
        await client.InlineAsync(a, 3, 12);
        Assert.Equal([c, a], SegmentUris(await client.StatusAsync()));
    }

    [Fact]
    public async Task Classic_completion_inserts_the_word_and_the_suggestion_and_matches_the_inline_one()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.Llama), maxTokens: 8));
        await OpenWorkspaceAsync(client);

        InlineCompletionList inline = await client.InlineAsync(C, 3, 13);
        CompletionList classic = await client.ClassicAsync(C, 3, 13);
        if (inline.Items.Count == 0)
        {
            Assert.Empty(classic.Items);
            return;
        }

        // The same request again: the cache answers it.
        JsonElement status = await client.StatusAsync();
        Assert.Equal(JsonValueKind.String, status.GetProperty("lastGeneration").GetProperty("fromCache").ValueKind);

        InlineCompletionItem item = Assert.Single(inline.Items);
        Assert.Equal(new Position(3, 13), item.Range.Start);
        CompletionItem entry = Assert.Single(classic.Items);

        // Line 3 is "    total = s" in c.py: the word being typed is "s".
        Assert.Equal("s" + item.InsertText, entry.TextEdit.NewText);
        Assert.Equal(new LspLlama.Protocol.Range(new Position(3, 12), new Position(3, 13)), entry.TextEdit.Range);
    }

    private static readonly string[] s_texts =
    [
        "import math\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef circumference(r):\n    return 2 * math.pi * r\n",
        "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n\n    def norm(self):\n        return (self.x ** 2 + self.y ** 2) ** 0.5\n",
        "from a import area\n\ndef total(shapes):\n    total = s\n    for shape in shapes:\n        total += area(shape)\n    return total\n",
    ];

    /// <summary>
    /// Opens a.py, b.py and c.py: as <see cref="A"/>, <see cref="B"/> and <see cref="C"/>, or, given
    /// a folder, as files written there (closed files are kept only while they are on disk).
    /// </summary>
    internal static async Task<string[]> OpenWorkspaceAsync(EngineClient client, string? folder = null)
    {
        string[] uris = folder is null ? [A, B, C] : [.. new[] { "a.py", "b.py", "c.py" }.Select(n => new Uri(Path.Combine(folder, n)).AbsoluteUri)];
        for (int i = 0; i < uris.Length; i++)
        {
            if (folder is not null)
            {
                File.WriteAllText(new Uri(uris[i]).LocalPath, s_texts[i]);
            }

            await client.OpenAsync(uris[i], s_texts[i]);
        }

        return uris;
    }

    /// <summary>
    /// Types a character at the cursor that does not start the suggestion shown there (so the
    /// typed-ahead cache cannot answer) and returns it.
    /// </summary>
    internal static async Task<string> TypeNotSuggestedAsync(EngineClient client, string uri, int version, int line, int character)
    {
        InlineCompletionList shown = await client.InlineAsync(uri, line, character);
        string suggestion = shown.Items.Count > 0 ? shown.Items[0].InsertText : string.Empty;
        string typed = suggestion.StartsWith('u') ? "v" : "u";
        await client.InsertAsync(uri, version, line, character, typed);
        return typed;
    }

    /// <summary>The plan's segments in order, by document URI, from a <c>lspllama/status</c> answer.</summary>
    private static IEnumerable<string?> SegmentUris(JsonElement status) =>
        status.GetProperty("plan").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("uri").GetString());

    /// <summary>Invariant 3: decoded tokens never exceed the ideal by more than the distance to the checkpoint restored.</summary>
    private static void AssertWithinCheckpointDistance(JsonElement sync, bool attention)
    {
        int decoded = sync.GetProperty("decodedTokens").GetInt32();
        int ideal = sync.GetProperty("idealTokens").GetInt32();
        int kept = sync.GetProperty("keptTokens").GetInt32();
        int common = sync.GetProperty("commonTokens").GetInt32();
        Assert.Equal(sync.GetProperty("desiredTokens").GetInt32() - kept, decoded);
        Assert.True(decoded <= ideal + (common - kept), $"decoded {decoded}, ideal {ideal}, common {common}, kept {kept}");
        if (attention)
        {
            // A KV cache is cut right at the first changed token (one token back when nothing changed).
            Assert.True(decoded <= ideal + 1, $"decoded {decoded}, ideal {ideal}");
        }
        else
        {
            Assert.True(sync.GetProperty("restoredFrom").GetInt32() > 0, "a checkpoint should have been restored");
        }
    }
}
