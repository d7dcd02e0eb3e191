using System.Collections.Concurrent;
using LspLlama.Engine;
using LspLlama.Protocol;
using LspLlama.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>The seam for the session store: called on the inference thread at load, idle and unload.</summary>
public sealed class SessionHooksTests
{
    [Fact]
    public async Task Hooks_see_the_model_at_load_after_an_idle_prefill_and_before_it_is_freed()
    {
        RecordingHooks hooks = new();
        string llama = TinyModels.Get(TinyArch.Llama);
        await using (EngineClient client = new(hooks: hooks))
        {
            await client.StartWithModelAsync(EngineClient.Settings(llama, idlePrefillMs: 20));
            await SyncFigureTests.OpenWorkspaceAsync(client);
            await client.InsertAsync(SyncFigureTests.C, 2, 3, 13, "um");
            await hooks.Idled.Task.WaitAsync(EngineClient.Timeout);

            // A reload frees the first model: the store gets its last chance first.
            await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { model = new { path = TinyModels.Get(TinyArch.GraniteHybrid) } } });
            await client.WaitForStatusAsync(s => s.TryGetProperty("model", out var m) && m.GetProperty("architecture").GetString() == "granitehybrid");
        }

        // (Idle may come more than once: each prefill that synced calls it.)
        string[] calls = [.. hooks.Calls];
        Assert.Equal(
            ["loaded llama 0", "idle llama", "unloading llama", "loaded granitehybrid 0", "unloading granitehybrid"],
            calls.Where((c, i) => i == 0 || c != calls[i - 1]));
        Assert.True(hooks.AllOnInferenceThread);
        Assert.True(hooks.BeforeSyncs > 0);
    }

    private sealed class RecordingHooks : IModelSessionHooks
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public TaskCompletionSource Idled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool AllOnInferenceThread { get; private set; } = true;

        public IReadOnlyList<StoredDocument> Loaded(LoadedModel model, CancellationToken cancellationToken)
        {
            Record($"loaded {model.Architecture} {model.Session.Held.Length}");
            return [];
        }

        public void Idle(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents, CancellationToken cancellationToken)
        {
            Record($"idle {model.Architecture}");
            Assert.True(model.Session.Held.Length > 0);
            Assert.NotEmpty(documents());
            Idled.TrySetResult();
        }

        public void Unloading(LoadedModel model, Func<IReadOnlyList<StoredDocument>> documents) => Record($"unloading {model.Architecture}");

        /// <summary>Syncs announced before they ran, each with a non-empty plan.</summary>
        public int BeforeSyncs { get; private set; }

        public void BeforeSync(LoadedModel model, ReadOnlyMemory<int> planned)
        {
            AllOnInferenceThread &= Thread.CurrentThread.Name == "lspllama-inference";
            Assert.False(planned.IsEmpty);
            BeforeSyncs++;
        }

        private void Record(string call)
        {
            AllOnInferenceThread &= Thread.CurrentThread.Name == "lspllama-inference";
            Calls.Enqueue(call);
        }
    }
}
