using System.Text;
using System.Text.Json;
using LspLlama.Engine;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>Newer requests cancel older ones; <c>$/cancelRequest</c> stops a long sync between batches.</summary>
public sealed class CancellationStormTests
{
    [Fact]
    public async Task A_storm_of_100_requests_while_typing_answers_the_last_and_the_superseded_ones_empty()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        CompletionEngine engine = client.Server.Engine;

        // Hold the inference thread so that all requests are queued before any runs; otherwise
        // whether an early one finishes before the next arrives would depend on timing.
        using ManualResetEventSlim hold = new();
        Task<bool> held = engine.Worker.RunAsync(_ => hold.Wait(EngineClient.Timeout), WorkPriority.Control, CancellationToken.None);
        List<Task<InlineCompletionList>> calls = [];
        for (int i = 0; i < 100; i++)
        {
            if (i > 0)
            {
                await client.InsertAsync(SyncFigureTests.C, 1 + i, 3, 13 + i - 1, "x");
            }

            calls.Add(client.InlineAsync(SyncFigureTests.C, 3, 13 + i));
        }

        // The server handles messages in order: once this is answered, every request above is queued or cancelled.
        await client.StatusAsync();
        Assert.Equal(1, engine.QueuedWork);
        hold.Set();
        Assert.True(await held);

        // The superseded ones are answered empty, not with an error: editors show errors to the user.
        for (int i = 0; i < calls.Count - 1; i++)
        {
            Assert.Empty((await calls[i]).Items);
        }

        await calls[^1];
        Assert.Equal(0, engine.QueuedWork);
        JsonElement status = await client.StatusAsync();
        Assert.Equal(1, status.GetProperty("completions").GetInt32());
        Assert.Equal(1, status.GetProperty("syncs").GetInt32());
    }

    [Fact]
    public async Task CancelRequest_stops_a_long_sync_between_batches_and_the_next_request_resumes_from_what_it_decoded()
    {
        await using EngineClient client = new();
        Dictionary<string, object?> settings = EngineClient.Settings(TinyModels.Get(TinyArch.Llama), contextSize: 4096, batchSize: 32);
        settings["completion"] = new { maxTokens = 4, idlePrefillMs = 0, progressMinTokens = 256 };
        await client.StartWithModelAsync(settings, workDoneProgress: true);
        await client.OpenAsync(SyncFigureTests.A, LongModule(60));
        await client.OpenAsync(SyncFigureTests.C, "def main():\n    run(\n");

        using CancellationTokenSource cancel = new();
        Task<InlineCompletionList> call = client.InlineAsync(SyncFigureTests.C, 1, 8, cancel.Token);

        // The sync reports progress between steps: it is running now.
        await client.WaitForProgressAsync("report");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        JsonElement stopped = await client.WaitForStatusAsync(s => s.GetProperty("lastSync").GetProperty("cancelled").GetBoolean());
        await client.WaitForProgressAsync("end");
        JsonElement sync = stopped.GetProperty("lastSync");
        int decoded = sync.GetProperty("decodedTokens").GetInt32();
        int ideal = sync.GetProperty("idealTokens").GetInt32();
        Assert.True(decoded > 0 && decoded < ideal, $"decoded {decoded} of {ideal}");
        Assert.Equal(decoded, stopped.GetProperty("contextTokens").GetInt32());
        Assert.Equal(0, client.Server.Engine.QueuedWork);

        // The next request keeps what the cancelled one decoded.
        await client.InlineAsync(SyncFigureTests.C, 1, 8);
        sync = (await client.StatusAsync()).GetProperty("lastSync");
        Assert.False(sync.GetProperty("cancelled").GetBoolean());
        Assert.Equal(decoded, sync.GetProperty("keptTokens").GetInt32());
        Assert.Equal(ideal - decoded, sync.GetProperty("decodedTokens").GetInt32());
    }

    [Fact]
    public async Task A_completion_preempts_running_background_work_and_is_answered()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid)));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        CompletionEngine engine = client.Server.Engine;

        // Background work (as an idle prefill is) that runs until something preempts it.
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<bool> background = engine.Worker.RunAsync(
            token =>
            {
                started.SetResult();
                return token.WaitHandle.WaitOne(EngineClient.Timeout);
            },
            WorkPriority.Background,
            CancellationToken.None);
        await started.Task.WaitAsync(EngineClient.Timeout);

        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        Assert.True(await background, "the background work was not preempted");
        Assert.Equal(1, (await client.StatusAsync()).GetProperty("syncs").GetInt32());
    }

    /// <summary>A long, varied Python module.</summary>
    internal static string LongModule(int functions)
    {
        StringBuilder text = new();
        for (int i = 0; i < functions; i++)
        {
            text.Append($"def f{i}(x, y):\n    return x * {i % 17} + y - {i * 7 % 23}\n\n");
        }

        return text.ToString();
    }
}
