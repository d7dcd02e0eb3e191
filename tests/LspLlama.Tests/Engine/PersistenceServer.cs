using System.Text;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;

namespace LspLlama.Tests.Engine;

/// <summary>
/// One in-process server with the session store on, for restart tests: a workspace folder, a
/// model, a store folder, greedy and bounded generation, and no idle prefill unless asked (so the
/// completion is the first sync and its figures show what the store spared).
/// </summary>
internal sealed class PersistenceServer : IAsyncDisposable
{
    private PersistenceServer(LspTestClient client) => Client = client;

    public LspTestClient Client { get; }

    public static async Task<PersistenceServer> StartAsync(string workspace, string model, string storeDirectory, int contextSize = 2048, int idlePrefillMs = 0)
    {
        var client = new LspTestClient(persistSessions: true);
        var server = new PersistenceServer(client);
        await client.RequestAsync<InitializeResult>(LspMethods.Initialize, new
        {
            processId = (int?)null,
            rootUri = new Uri(workspace).AbsoluteUri,
            capabilities = new ClientCapabilities(),
            initializationOptions = new
            {
                model = new { path = model, contextSize, batchSize = 256, microBatchSize = 256 },
                completion = new { maxTokens = 12, timeBudgetMs = 60_000, idlePrefillMs },
                store = new { enabled = true, directory = storeDirectory },
            },
        });
        await client.NotifyAsync(LspMethods.Initialized, new { });
        await client.WaitForLogAsync("Loaded ");
        return server;
    }

    /// <summary>Two (or three) files of code; the cursor goes at the end of the last.</summary>
    public static (string Uri, string Text)[] Documents(string workspace, int files = 2)
    {
        var first = new StringBuilder();
        var middle = new StringBuilder();
        var last = new StringBuilder();
        for (int i = 0; i < 24; i++)
        {
            first.Append("def helper_").Append(i).Append("(value):\n    return value * ").Append(i + 3).Append(" + offset_").Append(i).Append('\n');
            middle.Append("offset_").Append(i).Append(" = ").Append(i * 7 % 5).Append('\n');
            last.Append("total_").Append(i).Append(" = helper_").Append(i).Append("(items[").Append(i).Append("])\n");
        }

        last.Append("result = total_0 + ");
        (string, string) helpers = (new Uri(Path.Combine(workspace, "helpers.py")).AbsoluteUri, first.ToString());
        (string, string) offsets = (new Uri(Path.Combine(workspace, "offsets.py")).AbsoluteUri, middle.ToString());
        (string, string) main = (new Uri(Path.Combine(workspace, "main.py")).AbsoluteUri, last.ToString());
        return files == 3 ? [helpers, offsets, main] : [helpers, main];
    }

    /// <summary>Saves the documents as files, as an editor's workspace has them.</summary>
    public static void WriteToDisk((string Uri, string Text)[] documents)
    {
        foreach ((string uri, string text) in documents)
        {
            File.WriteAllText(new Uri(uri).LocalPath, text);
        }
    }

    /// <summary>Opens the documents and asks for an inline completion at the end of the last one.</summary>
    public async Task<string> OpenAndCompleteAsync((string Uri, string Text)[] documents)
    {
        foreach ((string uri, string text) in documents)
        {
            await Client.OpenAsync(uri, text);
        }

        (string last, string lastText) = documents[^1];
        string[] lines = lastText.Split('\n');
        JsonElement answer = await Client.RequestAsync<JsonElement>(LspMethods.InlineCompletion, new InlineCompletionParams(
            new TextDocumentIdentifier(last), new Position(lines.Length - 1, lines[^1].Length)));
        return answer.GetRawText();
    }

    /// <summary>The status figures these tests read (the report leaves out null members, so it is read by hand).</summary>
    public async Task<RestartStatus> StatusAsync()
    {
        JsonElement status = await Client.RequestAsync<JsonElement>(LspMethods.Status, null);
        JsonElement sync = status.GetProperty("lastSync");
        return new RestartStatus(
            status.GetProperty("state").GetString(),
            sync.GetProperty("keptTokens").GetInt32(),
            sync.GetProperty("decodedTokens").GetInt32(),
            status.GetProperty("lastGeneration").GetProperty("tokens").GetInt32());
    }

    /// <summary>Shutdown, exit, and dispose: the store's last save is on disk when this returns.</summary>
    public async ValueTask DisposeAsync()
    {
        await Client.ShutdownAndExitAsync();
        await Client.DisposeAsync();
    }
}

internal sealed record RestartStatus(string? State, int KeptTokens, int DecodedTokens, int GeneratedTokens);
