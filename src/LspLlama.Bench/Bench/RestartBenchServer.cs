using System.Diagnostics;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace LspLlama.Bench;

/// <summary>What one start of the server cost until its first completion.</summary>
/// <param name="TotalMs">From creating the server to the completion's answer (model load included).</param>
/// <param name="CompletionMs">The completion request alone: the sync to the whole context and the generation.</param>
/// <param name="KeptTokens">Tokens the first sync did not decode.</param>
/// <param name="DecodedTokens">Tokens the first sync decoded.</param>
/// <param name="Answer">The completion as the client got it (JSON), to compare runs.</param>
public sealed record RestartRun(double TotalMs, double CompletionMs, int KeptTokens, int DecodedTokens, string Answer);

/// <summary>
/// Starts the real server in-process (the session store on, as in <c>serve</c>), opens a
/// workspace, asks for one completion, and shuts down, which writes the store's last save.
/// </summary>
public static class RestartBenchServer
{
    private static readonly TimeSpan s_requestLimit = TimeSpan.FromMinutes(30);

    public static async Task<RestartRun> RunAsync(string workspace, IReadOnlyList<(string Path, string Text)> files, string model, int contextSize, string storeDirectory, bool storeEnabled)
    {
        (Stream serverSide, Stream clientSide) = FullDuplexStream.CreatePair();
        long started = Stopwatch.GetTimestamp();
        LspServer server = new(serverSide, serverSide, new LspServerOptions { Log = Console.Error, LogLevel = LogLevel.Warning, PersistSessions = true });
        Task<int> exited = server.RunAsync();
        SystemTextJsonFormatter formatter = new() { JsonSerializerOptions = LspJson.CreateOptions() };
        using JsonRpc client = new(new HeaderDelimitedMessageHandler(clientSide, clientSide, formatter));
        client.StartListening();
        try
        {
            await RequestAsync(client, LspMethods.Initialize, new
            {
                processId = Environment.ProcessId,
                rootUri = new Uri(workspace).AbsoluteUri,
                capabilities = new { },
                initializationOptions = new
                {
                    model = new { path = model, contextSize },
                    completion = new { maxTokens = 16, timeBudgetMs = 600_000, idlePrefillMs = 0 },
                    store = new { enabled = storeEnabled, directory = storeDirectory },
                },
            }).ConfigureAwait(false);
            await client.NotifyWithParameterObjectAsync(LspMethods.Initialized, new { }).ConfigureAwait(false);
            await WaitUntilReadyAsync(client).ConfigureAwait(false);

            foreach ((string path, string text) in files)
            {
                await client.NotifyWithParameterObjectAsync(
                    LspMethods.DidOpen, new DidOpenTextDocumentParams(new TextDocumentItem(new Uri(path).AbsoluteUri, "csharp", 1, text))).ConfigureAwait(false);
            }

            (string lastPath, string lastText) = files[^1];
            string[] lines = lastText.Split('\n');
            long requested = Stopwatch.GetTimestamp();
            JsonElement answer = await RequestAsync(client, LspMethods.InlineCompletion, new InlineCompletionParams(
                new TextDocumentIdentifier(new Uri(lastPath).AbsoluteUri), new Position(lines.Length - 1, lines[^1].Length))).ConfigureAwait(false);
            double completionMs = Stopwatch.GetElapsedTime(requested).TotalMilliseconds;
            double totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            JsonElement sync = (await RequestAsync(client, LspMethods.Status, null).ConfigureAwait(false)).GetProperty("lastSync");
            return new RestartRun(totalMs, completionMs, sync.GetProperty("keptTokens").GetInt32(), sync.GetProperty("decodedTokens").GetInt32(), answer.GetRawText());
        }
        finally
        {
            await RequestAsync(client, LspMethods.Shutdown, null).ConfigureAwait(false);
            await client.NotifyWithParameterObjectAsync(LspMethods.Exit, null).ConfigureAwait(false);
            await exited.WaitAsync(s_requestLimit).ConfigureAwait(false);

            // Disposing the server frees the model after the store's last save.
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Task<JsonElement> RequestAsync(JsonRpc client, string method, object? parameters) =>
        client.InvokeWithParameterObjectAsync<JsonElement>(method, parameters).WaitAsync(s_requestLimit);

    // A benchmark, not a test: polling the status a few hundred times a second costs nothing measurable.
    private static async Task WaitUntilReadyAsync(JsonRpc client)
    {
        while (true)
        {
            JsonElement status = await RequestAsync(client, LspMethods.Status, null).ConfigureAwait(false);
            string? state = status.GetProperty("state").GetString();
            if (state == "ready")
            {
                return;
            }

            if (state is "error" or "noModel" && status.TryGetProperty("message", out JsonElement message) && message.GetString() is { } text && !text.StartsWith("not started", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the server could not load the model: {text}");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
