using System.Text;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using StreamJsonRpc;
using Xunit;
using Range = LspLlama.Protocol.Range;

namespace LspLlama.Tests.Protocol;

public sealed class DocumentSyncTests
{
    private const string Uri = "file:///work/a.cs";

    [Fact]
    public async Task Incremental_changes_apply_in_order_and_match_the_editor()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync(Uri, "class A\r\n{\r\n}\r\n");

        // Several changes per notification, each against the text the previous one left.
        await client.ChangeAsync(Uri, 2, Change(1, 1, 1, 1, "\r\n    int x;"), Change(0, 6, 0, 7, "B"));
        await client.ChangeAsync(Uri, 3, Change(2, 9, 2, 9, " = 1"));
        for (int version = 4; version < 104; version++)
        {
            await client.ChangeAsync(Uri, version, Change(3, 0, 3, 0, "x"));
        }

        DocumentTextResult result = await client.DocumentTextAsync(Uri);
        Assert.Equal($"class B\r\n{{\r\n    int x = 1;\r\n{new string('x', 100)}}}\r\n", result.Text);
        Assert.Equal(103, result.Version);
    }

    [Fact]
    public async Task Utf8_positions_are_used_when_negotiated()
    {
        await using LspTestClient client = new();
        await client.StartAsync(new ClientCapabilities(General: new GeneralClientCapabilities(["utf-8"])));
        await client.OpenAsync(Uri, "é😀x\n");

        // "é" is 2 bytes and the emoji 4: byte 6 is just before "x".
        await client.ChangeAsync(Uri, 2, Change(0, 6, 0, 7, "y"), Change(0, 2, 0, 6, string.Empty));
        Assert.Equal("éy\n", (await client.DocumentTextAsync(Uri)).Text);
    }

    [Fact]
    public async Task Full_text_changes_are_accepted_and_close_forgets_the_document()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync(Uri, "old");
        await client.ChangeAsync(Uri, 2, new TextDocumentContentChangeEvent("new text"));
        Assert.Equal("new text", (await client.DocumentTextAsync(Uri)).Text);

        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(Uri)));
        // StreamJsonRpc clients surface -32602 (InvalidParams) as this exception type.
        RemoteMethodNotFoundException e = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => client.DocumentTextAsync(Uri));
        Assert.Equal(LspErrorCodes.InvalidParams, (int)e.ErrorCode);
        Assert.Contains(Uri, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_with_different_text_resynchronises_the_copy()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync(Uri, "abc");
        await client.NotifyAsync(LspMethods.DidSave, new DidSaveTextDocumentParams(new TextDocumentIdentifier(Uri), "abd"));
        await client.WaitForLogAsync("differs from the server's copy");
        Assert.Equal("abd", (await client.DocumentTextAsync(Uri)).Text);
    }

    [Fact]
    public async Task A_change_to_an_unopened_document_is_logged_and_ignored()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.ChangeAsync("file:///nowhere", 2, new TextDocumentContentChangeEvent("x"));
        LogMessageParams log = await client.WaitForLogAsync("file:///nowhere, which is not open");
        Assert.Equal(MessageType.Warning, log.Type);
        Assert.Null(client.Server.Documents.Find("file:///nowhere"));
    }

    [Fact]
    public async Task Ranges_past_the_end_are_clamped_and_logged()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync(Uri, "ab\ncd");
        await client.ChangeAsync(Uri, 2, Change(0, 50, 0, 60, "X"), Change(9, 0, 9, 4, "!"));
        Assert.Equal("abX\ncd!", (await client.DocumentTextAsync(Uri)).Text);
        await client.WaitForLogAsync("PastEndOfLine");
        await client.WaitForLogAsync("PastEndOfDocument");
    }

    [Fact]
    public async Task A_range_with_start_after_end_is_swapped_and_logged()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync(Uri, "abcdef");
        await client.ChangeAsync(Uri, 2, Change(0, 4, 0, 1, "-"));
        Assert.Equal("a-ef", (await client.DocumentTextAsync(Uri)).Text);
        await client.WaitForLogAsync("starts after it ends");
    }

    [Fact]
    public async Task A_version_that_goes_back_is_logged_and_the_text_still_follows()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync(Uri, "a", version: 5);
        await client.ChangeAsync(Uri, 4, Change(0, 1, 0, 1, "b"));
        DocumentTextResult result = await client.DocumentTextAsync(Uri);
        Assert.Equal(("ab", 4), (result.Text, result.Version));
        await client.WaitForLogAsync("not newer");
    }

    [Fact]
    public async Task A_20_MB_document_is_held_exactly_and_edited_anywhere()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        StringBuilder builder = new();
        for (int i = 0; builder.Length < 20_000_000; i++)
        {
            builder.Append("line ").Append(i).Append(" — some text with ünïcödé and 😀\n");
        }

        string text = builder.ToString();
        await client.OpenAsync(Uri, text);
        int lines = text.Count(c => c == '\n');
        await client.ChangeAsync(Uri, 2, Change(0, 0, 0, 4, "LINE"), Change(lines / 2, 0, lines / 2, 0, "middle "), Change(lines, 0, lines, 0, "end"));

        string[] split = text.Split('\n');
        split[0] = "LINE" + split[0][4..];
        split[lines / 2] = "middle " + split[lines / 2];
        split[lines] = "end";
        DocumentTextResult result = await client.DocumentTextAsync(Uri);
        Assert.Equal(string.Join('\n', split), result.Text);
    }

    [Fact]
    public async Task A_lone_surrogate_becomes_a_replacement_char_and_positions_stay_aligned()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(LspFrames.Frame("""{"jsonrpc":"2.0","method":"initialized","params":{}}"""));
        await connection.SendAsync(LspFrames.Frame(
            """{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///s","languageId":"x","version":1,"text":"a\ud800b\ud83d\ude00c"}}}"""));

        // UTF-16 character 5 is after the lone surrogate (1 unit) and the pair (2 units).
        await connection.SendAsync(LspFrames.Notification(LspMethods.DidChange, new DidChangeTextDocumentParams(
            new VersionedTextDocumentIdentifier("file:///s", 2),
            [Change(0, 5, 0, 6, "C")])));
        var response = await connection.RequestAsync(LspMethods.DocumentText, new DocumentTextParams("file:///s"), id: 1);
        Assert.Equal("a\uFFFDb\U0001F600C", response.GetProperty("result").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Observers_see_every_edit_as_utf16_char_offsets_whatever_the_encoding()
    {
        await using LspTestClient client = new();
        EditLog edits = new();
        client.Server.Documents.Subscribe(edits);
        await client.StartAsync(new ClientCapabilities(General: new GeneralClientCapabilities(["utf-8"])));
        await client.OpenAsync(Uri, "😀ab\nc");

        // UTF-8 byte 5 on line 0 is after the emoji (4 bytes) and "a": UTF-16 offset 3.
        await client.ChangeAsync(Uri, 2, Change(0, 5, 0, 6, "XY"), Change(1, 0, 1, 1, string.Empty));
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(Uri)));
        await client.OpenAsync(Uri, "again", version: 9);
        await client.DocumentTextAsync(Uri);

        Assert.Equal(["open 1 😀ab\nc", "edit 2 3+1 XY", "edit 2 6+1 ", "close", "open 9 again"], edits.Events);
    }

    private sealed class EditLog : LspLlama.Core.Documents.IDocumentObserver
    {
        public List<string> Events { get; } = [];

        public void OnOpened(LspLlama.Core.Documents.DocumentOpened opened) => Events.Add($"open {opened.Version} {opened.Text}");

        public void OnEdited(LspLlama.Core.Documents.DocumentEdit edit) => Events.Add($"edit {edit.Version} {edit.Start}+{edit.RemovedLength} {edit.InsertedText}");

        public void OnClosed(LspLlama.Core.Documents.DocumentClosed closed) => Events.Add("close");
    }

    private static TextDocumentContentChangeEvent Change(int l1, int c1, int l2, int c2, string text) =>
        new(text, new Range(new Position(l1, c1), new Position(l2, c2)));
}
