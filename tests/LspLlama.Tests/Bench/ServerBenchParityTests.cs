using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Core.Session;
using LspLlama.Protocol;
using LspLlama.Tests.Engine;
using LspLlama.Tests.Support;
using LspLlama.Traces;
using Xunit;

namespace LspLlama.Tests.Bench;

/// <summary>
/// The bench measures what the server decodes: the same editor traffic, sent to the server over the
/// protocol and replayed by the bench from the trace the server recorded, leaves the model holding
/// the same tokens after every completion.
/// </summary>
public sealed class ServerBenchParityTests : IDisposable
{
    private const int ContextSize = 2048, Batch = 32, MaxTokens = 6;
    private const string A = "file:///w/a.cs", B = "file:///w/b.cs", C = "file:///w/c.cs";
    private readonly string _dir = Directory.CreateTempSubdirectory("lspllama-parity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Server_and_bench_hold_the_same_tokens_after_every_completion()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        string tracePath = Path.Combine(_dir, "session.trace");
        List<int[]> served = [];
        await using (EngineClient client = new(recordTracePath: tracePath))
        {
            await client.StartWithModelAsync(EngineClient.Settings(model, ContextSize, Batch, MaxTokens));
            foreach (string uri in new[] { A, B, C })
            {
                await client.OpenAsync(uri, string.Concat(Enumerable.Range(0, 12).Select(i => $"    int {uri[^4]}{i} = {i}; // {uri}\n")));
            }

            int cVersion = 1, aVersion = 1;
            async Task Complete(string uri, int line, int character)
            {
                await client.InlineAsync(uri, line, character);
                served.Add(await client.Server.Engine.HeldTokensAsync());
            }

            // Typing in c, an edit in a (before c in the context), typing again, a switch to b.
            for (int i = 0; i < 4; i++)
            {
                await client.InsertAsync(C, ++cVersion, 3, 10 + i, "x");
                await Complete(C, 3, 11 + i);
            }

            await client.InsertAsync(A, ++aVersion, 1, 0, "    // changed in a\n");
            await Complete(C, 3, 14);
            await client.InsertAsync(C, ++cVersion, 6, 4, "y");
            await Complete(C, 6, 5);
            await Complete(B, 5, 8);
            await Complete(B, 5, 8);
        }

        EditTrace trace = TraceFile.Read(tracePath);
        Assert.Equal(served.Count, trace.CompletionCount);
        var settings = new ReplaySettings(ContextSize, Batch, Batch, Threads: 2, GeneratePerSync: MaxTokens)
        {
            Checkpoints = EngineClient.Checkpoints,
        };
        using ReplayLlamaFactory factory = new(model, generated: true, settings);
        using IReplayTarget target = factory.Create(CheckpointPolicies.Names[0], trace.Header.PositionEncoding);
        ModelSession session = ((ReplayServing)target).Session;
        int completion = 0;
        foreach (TraceEvent e in trace.Events)
        {
            if (e is TraceCompletion request)
            {
                _ = target.Sync(request, CancellationToken.None);
                Assert.True(served[completion].AsSpan().SequenceEqual(session.Held), $"completion {completion}: the server holds {served[completion].Length} tokens, the bench {session.Held.Length}");
                completion++;
            }
            else
            {
                target.Apply(e);
            }
        }

        Assert.Equal(served.Count, completion);
        Assert.True(served[^1].Length > 300, $"the context held only {served[^1].Length} tokens");
    }
}
