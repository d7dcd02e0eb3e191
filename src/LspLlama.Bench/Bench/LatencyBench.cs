using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using LspLlama.ModelFiles;
using LspLlama.Protocol;
using LspLlama.Server;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace LspLlama.Bench;

/// <summary>What the latency bench runs: one model, one workspace, one typing script, several checkpoint policies.</summary>
/// <param name="Files">The workspace as (uri, text); the last one is the active document.</param>
/// <param name="CursorLine">Where typing starts in the active document (end of this line).</param>
/// <param name="Typed">The characters typed, one keystroke each.</param>
/// <param name="CursorCharacter">Where on that line typing starts (null: its end).</param>
public sealed record LatencyScript(
    string ModelPath, int ContextSize, int BatchSize, int Threads, int MaxTokens,
    IReadOnlyList<(string Uri, string Text)> Files, int CursorLine, string Typed, int? CursorCharacter = null);

/// <summary>One keystroke: the time from sending didChange to the inline completion result, and what the sync did.</summary>
public sealed record LatencySample(double Ms, int DecodedTokens, int IdealTokens, int RestoredFrom, bool FromCache);

/// <summary>The samples of one policy.</summary>
/// <param name="FirstMs">The first completion (the documents' open and the whole context decoded), not among the samples.</param>
/// <param name="StartRssBytes">The process's resident memory once the model was loaded, before any document was opened.</param>
/// <param name="PeakRssBytes">Its peak from then to the last keystroke (client and server share the process).</param>
public sealed record LatencyRun(
    string Policy, string MemoryKind, int PlanTokens, double FirstMs, IReadOnlyList<LatencySample> Samples, long StartRssBytes = 0, long PeakRssBytes = 0);

/// <summary>
/// Latency from <c>didChange</c> to the <c>textDocument/inlineCompletion</c> result while typing in
/// the active document, through the real protocol: an in-process server on a duplex stream, a JSON-RPC
/// client on the other end, one request after each keystroke, awaited before the next.
/// </summary>
public static class LatencyBench
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(10);

    public static async Task<LatencyRun> RunAsync(LatencyScript script, string policy, TextWriter log)
    {
        (Stream serverSide, Stream clientSide) = FullDuplexStream.CreatePair();
        string empty = Directory.CreateTempSubdirectory("lspllama-bench-").FullName;
        LspServer server = new(serverSide, serverSide, new LspServerOptions
        {
            Log = log,
            LogLevel = LogLevel.Warning,
            ModelLocator = new ModelLocator([new ModelLocator.SearchRoot("none", empty)]),
        });
        Task<int> exited = server.RunAsync();
        var statuses = new StatusListener();
        using JsonRpc rpc = new(new HeaderDelimitedMessageHandler(clientSide, clientSide, new SystemTextJsonFormatter { JsonSerializerOptions = LspJson.CreateOptions() }));
        rpc.AddLocalRpcMethod(
            typeof(StatusListener).GetMethod(nameof(StatusListener.OnStatus), BindingFlags.Public | BindingFlags.Instance)!,
            statuses,
            new JsonRpcMethodAttribute(LspMethods.StatusChanged) { UseSingleObjectParameterDeserialization = true });
        rpc.StartListening();
        try
        {
            await rpc.InvokeWithParameterObjectAsync<JsonElement>(LspMethods.Initialize, new
            {
                processId = (int?)null,
                capabilities = new { },
                initializationOptions = new
                {
                    model = new { path = script.ModelPath, contextSize = script.ContextSize, batchSize = script.BatchSize, microBatchSize = script.BatchSize, threads = script.Threads },
                    checkpoints = new { policy },
                    completion = new { maxTokens = script.MaxTokens, idlePrefillMs = 0, timeBudgetMs = 60_000 },
                },
            }).ConfigureAwait(false);
            await rpc.NotifyWithParameterObjectAsync(LspMethods.Initialized, new { }).ConfigureAwait(false);
            JsonElement ready = await statuses.Ready.Task.WaitAsync(s_timeout).ConfigureAwait(false);
            if (ready.GetProperty("state").GetString() != "ready")
            {
                throw new InvalidOperationException($"the model did not load: {ready.GetProperty("message")}");
            }

            ProcessMemory.ReleaseGarbage();
            ProcessMemory.ResetPeak();
            long startRss = ProcessMemory.ResidentBytes();
            (string active, string activeText) = script.Files[^1];
            int line = script.CursorLine;
            int character = script.CursorCharacter ?? activeText.Split('\n')[line].Length;
            var stopwatch = Stopwatch.StartNew();
            foreach ((string uri, string text) in script.Files)
            {
                await rpc.NotifyWithParameterObjectAsync(LspMethods.DidOpen, new { textDocument = new { uri, languageId = "csharp", version = 1, text } }).ConfigureAwait(false);
            }

            await InlineAsync(rpc, active, line, character).ConfigureAwait(false);
            double firstMs = stopwatch.Elapsed.TotalMilliseconds;
            JsonElement first = await rpc.InvokeWithParameterObjectAsync<JsonElement>(LspMethods.Status, null).ConfigureAwait(false);

            List<LatencySample> samples = [];
            int version = 1;
            foreach (char c in script.Typed)
            {
                version++;
                stopwatch.Restart();
                await rpc.NotifyWithParameterObjectAsync(LspMethods.DidChange, new
                {
                    textDocument = new { uri = active, version },
                    contentChanges = new[] { new { range = new { start = new { line, character }, end = new { line, character } }, text = c.ToString() } },
                }).ConfigureAwait(false);
                (line, character) = c == '\n' ? (line + 1, 0) : (line, character + 1);
                await InlineAsync(rpc, active, line, character).ConfigureAwait(false);
                double ms = stopwatch.Elapsed.TotalMilliseconds;
                JsonElement status = await rpc.InvokeWithParameterObjectAsync<JsonElement>(LspMethods.Status, null).ConfigureAwait(false);
                JsonElement sync = status.GetProperty("lastSync");
                bool fromCache = status.GetProperty("lastGeneration").TryGetProperty("fromCache", out JsonElement hit) && hit.ValueKind == JsonValueKind.String;
                samples.Add(new LatencySample(
                    ms, fromCache ? 0 : sync.GetProperty("decodedTokens").GetInt32(), sync.GetProperty("idealTokens").GetInt32(),
                    sync.GetProperty("restoredFrom").GetInt32(), fromCache));
                log.Write('.');
            }

            log.WriteLine();
            long peakRss = ProcessMemory.PeakResidentBytes();
            await rpc.InvokeWithParameterObjectAsync<JsonElement?>(LspMethods.Shutdown, null).ConfigureAwait(false);
            await rpc.NotifyWithParameterObjectAsync(LspMethods.Exit, null).ConfigureAwait(false);
            await exited.WaitAsync(s_timeout).ConfigureAwait(false);
            return new LatencyRun(
                policy, first.GetProperty("memoryKind").GetString() ?? "?", first.GetProperty("lastSync").GetProperty("desiredTokens").GetInt32(), firstMs, samples,
                startRss, peakRss);
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(empty, recursive: true);
        }
    }

    private static Task<JsonElement> InlineAsync(JsonRpc rpc, string uri, int line, int character) =>
        rpc.InvokeWithParameterObjectAsync<JsonElement>(LspMethods.InlineCompletion, new
        {
            textDocument = new { uri },
            position = new { line, character },
            context = new { triggerKind = 2 },
        });

    /// <summary>Receives <c>lspllama/statusChanged</c>; completes <see cref="Ready"/> once a load ends either way.</summary>
    private sealed class StatusListener
    {
        public TaskCompletionSource<JsonElement> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnStatus(JsonElement status)
        {
            if (status.GetProperty("state").GetString() is "ready" or "error" or "noModel")
            {
                Ready.TrySetResult(status.Clone());
            }
        }
    }
}
