using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>The model comes from <c>--model</c>, <c>initializationOptions</c> or a configuration change, which reloads it.</summary>
public sealed class EngineSettingsTests
{
    [Fact]
    public async Task DidChangeConfiguration_loads_and_then_replaces_the_model()
    {
        await using EngineClient client = new();
        await client.StartAsync(EngineClient.Settings(null));
        Assert.Equal(MessageType.Warning, (await client.WaitForMessageAsync()).Type);
        await SyncFigureTests.OpenWorkspaceAsync(client);

        string llama = TinyModels.Get(TinyArch.Llama);
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { lspllama = new { model = new { path = llama } } } });
        JsonElement ready = await client.WaitForStatusAsync(s => EngineClient.State(s) == "ready");
        Assert.Equal(llama, ready.GetProperty("model").GetProperty("path").GetString());
        Assert.Equal("llama", ready.GetProperty("model").GetProperty("architecture").GetString());

        // The documents opened before the model came are in its context.
        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        JsonElement status = await client.StatusAsync();
        Assert.Equal(3, status.GetProperty("plan").GetProperty("segments").GetArrayLength());
        Assert.True(status.GetProperty("lastSync").GetProperty("decodedTokens").GetInt32() > 0);

        string hybrid = TinyModels.Get(TinyArch.GraniteHybrid);
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { model = new { path = hybrid } } });
        ready = await client.WaitForStatusAsync(s => EngineClient.State(s) == "ready" && s.GetProperty("model").GetProperty("path").GetString() == hybrid);
        Assert.Equal("granitehybrid", ready.GetProperty("model").GetProperty("architecture").GetString());
        Assert.Equal("hybrid", ready.GetProperty("memoryKind").GetString());
        Assert.Equal(0, ready.GetProperty("contextTokens").GetInt32());
        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        Assert.True((await client.StatusAsync()).GetProperty("checkpoints").GetProperty("count").GetInt32() > 0);
    }

    [Fact]
    public async Task The_model_option_of_serve_is_used_when_settings_name_none()
    {
        string llama = TinyModels.Get(TinyArch.Llama);
        await using EngineClient client = new(modelPathOption: llama);
        JsonElement ready = await client.StartWithModelAsync(new { completion = new { maxTokens = 4 } });
        Assert.Equal(llama, ready.GetProperty("model").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Changing_only_the_plan_settings_keeps_the_model_and_its_memory()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.Llama)));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        int desiredBefore = (await client.StatusAsync()).GetProperty("lastSync").GetProperty("desiredTokens").GetInt32();

        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { context = new { suffixLines = 1 } } });
        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        JsonElement status = await client.StatusAsync();

        // Same model (a reload would have reset the count), same memory: the sync kept the
        // prefix, and the suffix window shrank.
        Assert.Equal(2, status.GetProperty("syncs").GetInt32());
        JsonElement sync = status.GetProperty("lastSync");
        Assert.True(sync.GetProperty("keptTokens").GetInt32() > 0);
        Assert.True(sync.GetProperty("desiredTokens").GetInt32() < desiredBefore);
    }

    [Fact]
    public async Task Changing_the_plan_settings_keeps_the_file_order_so_the_memory_before_the_active_file_stays()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        await SyncFigureTests.OpenWorkspaceAsync(client);

        // Used last: b, then a, so the order (c, b, a) is not the order they were opened in.
        await client.InlineAsync(SyncFigureTests.B, 2, 10);
        await client.InlineAsync(SyncFigureTests.A, 3, 10);
        JsonElement before = await client.StatusAsync();
        JsonElement[] segments = [.. before.GetProperty("plan").GetProperty("segments").EnumerateArray()];
        Assert.Equal([SyncFigureTests.C, SyncFigureTests.B, SyncFigureTests.A], segments.Select(s => s.GetProperty("uri").GetString()));

        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { context = new { suffixLines = 1 } } });
        await client.InlineAsync(SyncFigureTests.A, 3, 10);
        JsonElement after = await client.StatusAsync();

        Assert.Equal([SyncFigureTests.C, SyncFigureTests.B, SyncFigureTests.A], after.GetProperty("plan").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("uri").GetString()));
        Assert.DoesNotContain(after.GetProperty("plan").GetProperty("segments").EnumerateArray(), s => s.GetProperty("closed").GetBoolean());
        int activeStart = segments[2].GetProperty("start").GetInt32();
        int kept = after.GetProperty("lastSync").GetProperty("keptTokens").GetInt32();
        Assert.True(kept >= activeStart, $"kept {kept} tokens, the active file starts at {activeStart}");
    }

    [Fact]
    public async Task A_plan_settings_change_keeps_what_the_budget_left_out_and_a_close_not_yet_applied()
    {
        using TempFolder folder = new();
        Directory.CreateDirectory(folder.Path);
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        string[] uris = [.. Enumerable.Range(0, 10).Select(i => new Uri(Path.Combine(folder.Path, $"f{i}.py")).AbsoluteUri)];
        foreach (string uri in uris)
        {
            // On disk: a closed file stays in the context only while it is there.
            string name = uri[^5..^3];
            string text = string.Concat(Enumerable.Range(0, 12).Select(k => $"{name}_{k} = compute_{name}({k})\n"));
            File.WriteAllText(new Uri(uri).LocalPath, text);
            await client.OpenAsync(uri, text);
        }

        await client.InlineAsync(uris[2], 1, 4);
        await client.InlineAsync(uris[9], 1, 4);
        JsonElement before = await client.StatusAsync();
        JsonElement[] segments = [.. before.GetProperty("plan").GetProperty("segments").EnumerateArray()];
        Assert.True(segments.Length < uris.Length, "the budget should leave files out");

        // A close the plan has not seen yet, then the settings change.
        string closed = segments[1].GetProperty("uri").GetString()!;
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier(closed)));
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { context = new { suffixLines = 1 } } });
        await client.InlineAsync(uris[9], 1, 4);
        JsonElement after = await client.StatusAsync();

        JsonElement[] now = [.. after.GetProperty("plan").GetProperty("segments").EnumerateArray()];
        Assert.Equal(segments.Select(s => s.GetProperty("uri").GetString()), now.Select(s => s.GetProperty("uri").GetString()));
        Assert.Equal([closed], now.Where(s => s.GetProperty("closed").GetBoolean()).Select(s => s.GetProperty("uri").GetString()));
        int kept = after.GetProperty("lastSync").GetProperty("keptTokens").GetInt32();
        Assert.True(kept >= segments[^1].GetProperty("start").GetInt32(), $"kept {kept} tokens, the active file starts at {segments[^1].GetProperty("start").GetInt32()}");
    }
}
