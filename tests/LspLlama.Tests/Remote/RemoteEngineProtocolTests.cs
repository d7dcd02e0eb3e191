using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Engine;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Remote;

/// <summary>
/// The server with <c>engine.url</c> against the real llama-server (a tiny hybrid model on loopback):
/// completions through the protocol, the server's own decode figures in <c>lspllama/status</c>,
/// an edit in another open file, and the engine killed and restarted mid-session.
/// </summary>
public sealed class RemoteEngineProtocolTests
{
    private const string A = SyncFigureTests.A;
    private const string C = SyncFigureTests.C;

    internal static Dictionary<string, object?> RemoteSettings(string model, Uri url, int slot, int idlePrefillMs = 0)
    {
        Dictionary<string, object?> settings = EngineClient.Settings(model, idlePrefillMs: idlePrefillMs);
        settings["engine"] = new { url = url.ToString(), slot, timeoutMs = 3000 };
        return settings;
    }

    [Fact]
    public async Task Completions_go_to_the_servers_slot_and_the_status_shows_what_the_server_decoded()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using LlamaServerProcess server = await LlamaServerProcess.StartAsync(model);
        await using EngineClient client = new();
        JsonElement ready = await client.StartWithModelAsync(RemoteSettings(model, server.Url, slot: 1));
        Assert.Equal("server", ready.GetProperty("policy").GetString());
        await SyncFigureTests.OpenWorkspaceAsync(client);

        // First request: the slot is empty, the server decodes the whole prompt.
        await client.InlineAsync(C, 3, 13);
        JsonElement first = await client.StatusAsync();
        JsonElement sync = first.GetProperty("lastSync");
        int desired = sync.GetProperty("desiredTokens").GetInt32();
        Assert.Equal(desired, sync.GetProperty("decodedTokens").GetInt32());
        Assert.True(first.GetProperty("lastGeneration").GetProperty("tokens").GetInt32() >= 1);
        int cursorLine = first.GetProperty("plan").GetProperty("cursorLineToken").GetInt32();

        // A keystroke: the server keeps its cache up to a checkpoint near the old prompt's end.
        string typed = await SyncFigureTests.TypeNotSuggestedAsync(client, C, 2, 3, 13);
        await client.InlineAsync(C, 3, 13 + typed.Length);
        sync = (await client.StatusAsync()).GetProperty("lastSync");
        AssertServerFigures(sync);
        Assert.True(sync.GetProperty("keptTokens").GetInt32() >= cursorLine, $"the server kept {sync.GetProperty("keptTokens")} tokens, the cursor's line starts at {cursorLine}");
        Assert.InRange(sync.GetProperty("decodedTokens").GetInt32(), 1, 64);

        // An edit in another open file moves it after b: the prompt changes at its segment, and
        // the server, with checkpoints only near its last prompt's end, decodes from there or from 0.
        await client.InsertAsync(A, 2, 1, 0, "    # note\n");
        InlineCompletionList afterEdit = await client.InlineAsync(C, 2, 18);
        Assert.NotNull(afterEdit);
        JsonElement status = await client.StatusAsync();
        sync = status.GetProperty("lastSync");
        AssertServerFigures(sync);
        Assert.True(sync.GetProperty("decodedTokens").GetInt32() > sync.GetProperty("idealTokens").GetInt32() / 2);
        Assert.Equal("ready", EngineClient.State(status));
    }

    [Fact]
    public async Task The_engine_going_away_answers_empty_and_after_its_restart_completions_come_back()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using LlamaServerProcess server = await LlamaServerProcess.StartAsync(model);
        await using EngineClient client = new();
        await client.StartWithModelAsync(RemoteSettings(model, server.Url, slot: 0));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        await client.InlineAsync(C, 3, 13);
        int generatedBefore = (await client.StatusAsync()).GetProperty("completions").GetInt32();

        server.Kill();
        InlineCompletionList down = await client.InlineAsync(C, 2, 18);
        Assert.Empty(down.Items);
        Assert.Contains(server.Url.ToString(), client.Log.ToString(), StringComparison.Ordinal);

        // The editor keeps working: documents still change and requests are still answered.
        await client.InsertAsync(C, 2, 2, 0, "# while the engine is down\n");
        Assert.Empty((await client.InlineAsync(C, 3, 18)).Items);
        Assert.Equal("ready", EngineClient.State(await client.StatusAsync()));

        await server.RestartAsync();
        await client.InlineAsync(C, 4, 13);
        JsonElement status = await client.StatusAsync();
        JsonElement sync = status.GetProperty("lastSync");

        // A new process has an empty cache: the whole prompt is decoded again, and it generated.
        Assert.Equal(sync.GetProperty("desiredTokens").GetInt32(), sync.GetProperty("decodedTokens").GetInt32());
        Assert.True(status.GetProperty("lastGeneration").GetProperty("tokens").GetInt32() >= 1);
        Assert.True(status.GetProperty("completions").GetInt32() > generatedBefore);
    }

    /// <summary>The server's figures cover the whole prompt: what it took from its cache and what it decoded.</summary>
    internal static void AssertServerFigures(JsonElement sync) =>
        Assert.Equal(sync.GetProperty("desiredTokens").GetInt32(), sync.GetProperty("keptTokens").GetInt32() + sync.GetProperty("decodedTokens").GetInt32());
}
