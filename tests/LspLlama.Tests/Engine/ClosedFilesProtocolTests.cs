using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>Closed files kept as context follow the disk, through the protocol, in both paths that build a plan.</summary>
public sealed class ClosedFilesProtocolTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public ClosedFilesProtocolTests() => Directory.CreateDirectory(_folder.Path);

    public void Dispose() => _folder.Dispose();

    /// <summary>Background prefill on; a.py, b.py and c.py on disk and opened, a completion in c, then a closed.</summary>
    private async Task<(string A, string B, string C)> StartWithAClosedAsync(EngineClient client)
    {
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid), idlePrefillMs: 20));
        string[] uris = await SyncFigureTests.OpenWorkspaceAsync(client, _folder.Path);
        await client.InlineAsync(uris[2], 3, 13);
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(uris[0])));
        return (uris[0], uris[1], uris[2]);
    }

    private static JsonElement[] Segments(JsonElement status) => [.. status.GetProperty("plan").GetProperty("segments").EnumerateArray()];

    private static int TokensOf(JsonElement status, string uri) =>
        Segments(status).Single(s => s.GetProperty("uri").GetString() == uri).GetProperty("tokens").GetInt32();

    [Fact]
    public async Task Changes_discarded_on_close_leave_the_context_with_the_file_as_it_is_on_disk()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        string[] uris = await SyncFigureTests.OpenWorkspaceAsync(client, _folder.Path);
        (string a, string c) = (uris[0], uris[2]);
        await client.InlineAsync(c, 3, 13);
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(a)));
        await client.InlineAsync(c, 3, 12);
        int onDisk = TokensOf(await client.StatusAsync(), a);

        // Reopened, edited, closed without saving: the disk never had the edit.
        await client.OpenAsync(a, File.ReadAllText(new Uri(a).LocalPath));
        await client.InsertAsync(a, 2, 0, 0, "# an edit the user threw away\n");
        await client.InlineAsync(c, 3, 13);
        Assert.True(TokensOf(await client.StatusAsync(), a) > onDisk);
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(a)));
        await client.InlineAsync(c, 3, 12);

        JsonElement status = await client.StatusAsync();
        Assert.Equal(onDisk, TokensOf(status, a));
        Assert.True(Segments(status).Single(s => s.GetProperty("uri").GetString() == a).GetProperty("closed").GetBoolean());
    }

    [Fact]
    public async Task The_idle_prefill_leaves_out_a_closed_file_deleted_from_disk()
    {
        await using EngineClient client = new();
        (string a, string b, string c) = await StartWithAClosedAsync(client);
        File.Delete(new Uri(a).LocalPath);

        // No completion request: an edit, and the prefill that follows it when the editor is idle.
        await client.InsertAsync(c, 2, 3, 13, "u");
        JsonElement status = await client.WaitForStatusAsync(s =>
            s.TryGetProperty("plan", out JsonElement plan) && Segments(s).All(seg => seg.GetProperty("uri").GetString() != a));
        Assert.Equal([b, c], Segments(status).Select(s => s.GetProperty("uri").GetString()));
    }

    [Fact]
    public async Task An_idle_server_takes_in_a_closed_file_deleted_from_disk_while_the_editor_sends_nothing()
    {
        await using EngineClient client = new();
        (string a, string b, string c) = await StartWithAClosedAsync(client);
        await client.WaitForStatusAsync(s => s.TryGetProperty("plan", out _) && Segments(s).Any(seg => seg.GetProperty("closed").GetBoolean()));

        // A checkout that touches only the closed file: no message from the editor at all.
        File.Delete(new Uri(a).LocalPath);
        JsonElement status = await client.WaitForStatusAsync(s =>
            s.TryGetProperty("plan", out _) && Segments(s).All(seg => seg.GetProperty("uri").GetString() != a));
        Assert.Equal([b, c], Segments(status).Select(s => s.GetProperty("uri").GetString()));
    }

    [Fact]
    public async Task A_closed_file_changed_on_disk_is_prefilled_and_no_cached_suggestion_outlives_it()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid), idlePrefillMs: 20));
        string[] uris = await SyncFigureTests.OpenWorkspaceAsync(client, _folder.Path);
        (string a, string c) = (uris[0], uris[2]);
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(a)));
        await client.InlineAsync(c, 3, 13);
        int before = TokensOf(await client.StatusAsync(), a);

        // Asked again at the same place with nothing changed, the answer comes from the cache.
        await client.InlineAsync(c, 3, 13);
        Assert.True((await client.StatusAsync()).GetProperty("lastGeneration").TryGetProperty("fromCache", out _));

        File.AppendAllText(new Uri(a).LocalPath, "\ndef diameter(r):\n    return 2 * r\n");
        JsonElement prefilled = await client.WaitForStatusAsync(s =>
            s.TryGetProperty("plan", out _) && Segments(s).Any(seg => seg.GetProperty("uri").GetString() == a) && TokensOf(s, a) > before);
        int syncs = prefilled.GetProperty("syncs").GetInt32();

        // The context changed: the model answers, from a memory the look already brought up to date.
        await client.InlineAsync(c, 3, 13);
        JsonElement status = await client.StatusAsync();
        Assert.False(status.GetProperty("lastGeneration").TryGetProperty("fromCache", out _));
        Assert.Equal(syncs + 1, status.GetProperty("syncs").GetInt32());
        Assert.Equal(0, status.GetProperty("lastSync").GetProperty("decodedTokens").GetInt32());
    }
}
