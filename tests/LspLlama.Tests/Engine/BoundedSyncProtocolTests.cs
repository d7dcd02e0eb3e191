using System.Text.Json;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// completion.maxSyncTokens over the protocol, on a real tiny hybrid model: an edit at the top of the
/// first file of a long context is answered within the bound at once, status says what lags, and
/// the background refresh brings the edit into the model's context for the next request.
/// </summary>
public sealed class BoundedSyncProtocolTests
{
    private const int Bound = 256;
    private const string A = "file:///w/a.cs", B = "file:///w/b.cs", C = "file:///w/c.cs", D = "file:///w/d.cs";

    private static string File(string name) =>
        $"namespace {name};\n\n" + string.Concat(Enumerable.Range(0, 110).Select(i => $"    int {name}{i} = Compute({i}) + {i * 7};\n"));

    private static string[] Order(JsonElement status) =>
        [.. status.GetProperty("plan").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("uri").GetString()!)];

    private static int Decoded(JsonElement status) => status.GetProperty("lastSync").GetProperty("decodedTokens").GetInt32();

    private static JsonElement Lag(JsonElement status) => status.GetProperty("lag");

    [Fact]
    public async Task An_edit_at_the_top_of_a_long_context_is_answered_within_the_bound_and_a_later_request_sees_it()
    {
        await using EngineClient client = new();
        Dictionary<string, object?> settings = EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid), contextSize: 8192, batchSize: 64);
        settings["completion"] = new { maxTokens = 4, idlePrefillMs = 0, timeBudgetMs = 60_000, maxSyncTokens = Bound };
        await client.StartWithModelAsync(settings);
        foreach (string uri in new[] { A, B, C })
        {
            await client.OpenAsync(uri, File(Path.GetFileNameWithoutExtension(uri)));
        }

        await client.OpenAsync(D, "class D\n{\n    int Total() => \n}\n");

        // An empty memory: the first answer has only the active file, the refresh brings the others.
        await client.InlineAsync(D, 2, 20);
        JsonElement first = await client.WaitForStatusAsync(s => s.GetProperty("completions").GetInt32() == 1);
        Assert.True(Decoded(first) <= Bound, $"decoded {Decoded(first)}");
        Assert.Equal(3, Lag(first).GetProperty("documents").GetInt32());
        JsonElement whole = await client.WaitForStatusAsync(s => Lag(s).GetProperty("documents").GetInt32() == 0);
        Assert.Equal([A, B, C, D], Order(whole));
        Assert.True(whole.GetProperty("lastSync").GetProperty("desiredTokens").GetInt32() > 4 * Bound, "the context must be long for the test to mean anything");

        // An edit at the top of the first file, then a request at once: answered within the bound.
        await client.InsertAsync(A, 2, 0, 0, "// edited at the top\n");
        await client.InlineAsync(D, 2, 20);
        JsonElement edited = await client.WaitForStatusAsync(s => s.GetProperty("completions").GetInt32() == 2);
        Assert.True(Decoded(edited) <= Bound, $"decoded {Decoded(edited)}");
        Assert.True(Lag(edited).GetProperty("documents").GetInt32() >= 1);
        Assert.True(Lag(edited).GetProperty("tokens").GetInt32() > 0);
        Assert.True(Lag(edited).GetProperty("boundedRequests").GetInt32() >= 2);

        // The refresh catches up in the background; the next request's prompt is the exact plan, edit included.
        await client.WaitForStatusAsync(s => Lag(s).GetProperty("documents").GetInt32() == 0 && s.GetProperty("syncs").GetInt32() > edited.GetProperty("syncs").GetInt32());
        await client.InsertAsync(D, 2, 2, 20, "1");
        await client.InlineAsync(D, 2, 21);
        JsonElement later = await client.WaitForStatusAsync(s => s.GetProperty("completions").GetInt32() == 3);
        Assert.Equal([B, C, A, D], Order(later));
        Assert.Equal(0, Lag(later).GetProperty("documents").GetInt32());
        Assert.True(Decoded(later) <= Bound);
        int[] held = await client.Server.Engine.HeldTokensAsync();
        Assert.Equal(later.GetProperty("contextTokens").GetInt32(), held.Length);
    }

    [Fact]
    public async Task Zero_turns_the_bound_off_and_nothing_lags()
    {
        await using EngineClient client = new();
        Dictionary<string, object?> settings = EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid), contextSize: 8192, batchSize: 64);
        settings["completion"] = new { maxTokens = 4, idlePrefillMs = 0, timeBudgetMs = 60_000, maxSyncTokens = 0 };
        await client.StartWithModelAsync(settings);
        foreach (string uri in new[] { A, B, C })
        {
            await client.OpenAsync(uri, File(Path.GetFileNameWithoutExtension(uri)));
        }

        await client.OpenAsync(D, "class D\n{\n    int Total() => \n}\n");
        await client.InlineAsync(D, 2, 20);
        JsonElement status = await client.WaitForStatusAsync(s => s.GetProperty("completions").GetInt32() == 1);
        Assert.Equal(status.GetProperty("lastSync").GetProperty("desiredTokens").GetInt32(), Decoded(status));
        Assert.True(Decoded(status) > 4 * Bound);
        Assert.Equal(0, Lag(status).GetProperty("documents").GetInt32());
        Assert.Equal(0, Lag(status).GetProperty("boundedRequests").GetInt32());
    }
}
