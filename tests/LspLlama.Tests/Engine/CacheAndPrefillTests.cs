using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>Work the model does not have to do: typed-ahead answers from the cache, and prefill while idle.</summary>
public sealed class CacheAndPrefillTests
{
    [Fact]
    public async Task Typing_the_start_of_the_shown_suggestion_is_answered_from_the_cache_without_a_sync()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid), maxTokens: 12));
        await SyncFigureTests.OpenWorkspaceAsync(client);

        // Random weights: find a place where the model suggests at least two visible characters.
        (int line, int character, string suggestion)? shown = null;
        foreach ((int line, int character) in new[] { (3, 13), (2, 18), (5, 28), (6, 16), (0, 18) })
        {
            InlineCompletionList list = await client.InlineAsync(SyncFigureTests.C, line, character);
            if (list.Items.Count > 0 && list.Items[0].InsertText is { Length: >= 2 } text && text[0] is not ('\n' or '\r') && !string.IsNullOrWhiteSpace(text[1..]))
            {
                shown = (line, character, text);
                break;
            }
        }

        Assert.True(shown.HasValue, "the tiny model suggested nothing usable at any of the positions");
        (int l, int c, string s) = shown.Value;
        JsonElement before = await client.StatusAsync();

        await client.InsertAsync(SyncFigureTests.C, 2, l, c, s[..1]);
        InlineCompletionList rest = await client.InlineAsync(SyncFigureTests.C, l, c + 1);
        Assert.Equal(s[1..], Assert.Single(rest.Items).InsertText);
        JsonElement after = await client.StatusAsync();
        Assert.Equal("typedAhead", after.GetProperty("lastGeneration").GetProperty("fromCache").GetString());
        Assert.Equal(before.GetProperty("syncs").GetInt32(), after.GetProperty("syncs").GetInt32());
        Assert.Equal(before.GetProperty("completions").GetInt32() + 1, after.GetProperty("completions").GetInt32());
    }

    [Theory]
    [InlineData(TinyArch.Llama)]
    [InlineData(TinyArch.GraniteHybrid)]
    public async Task The_idle_prefill_leaves_nothing_to_decode_for_the_next_request(TinyArch arch)
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(arch), idlePrefillMs: 20));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        await client.InsertAsync(SyncFigureTests.C, 2, 3, 13, "um");

        // No request yet: the prefill alone syncs to the latest edit.
        JsonElement prefilled = await client.WaitForStatusAsync(s => s.GetProperty("syncs").GetInt32() >= 1);
        Assert.Equal(0, prefilled.GetProperty("completions").GetInt32());
        Assert.True(prefilled.GetProperty("lastSync").GetProperty("decodedTokens").GetInt32() > 0);

        await client.InlineAsync(SyncFigureTests.C, 3, 15);
        JsonElement status = await client.StatusAsync();
        Assert.Equal(1, status.GetProperty("completions").GetInt32());
        Assert.Equal(0, status.GetProperty("lastSync").GetProperty("decodedTokens").GetInt32());
        Assert.Equal(prefilled.GetProperty("lastSync").GetProperty("desiredTokens").GetInt32(), status.GetProperty("lastSync").GetProperty("desiredTokens").GetInt32());
    }

    [Fact]
    public async Task Status_has_the_documented_shape_and_changes_are_notified()
    {
        await using EngineClient client = new();
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        await client.StartWithModelAsync(EngineClient.Settings(model));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        JsonElement notified = await client.WaitForStatusAsync(s => s.GetProperty("completions").GetInt32() == 1);
        JsonElement status = await client.StatusAsync();
        Assert.Equal(notified.GetRawText(), status.GetRawText());

        Assert.Equal(model, status.GetProperty("model").GetProperty("path").GetString());
        Assert.Equal("granitehybrid", status.GetProperty("model").GetProperty("architecture").GetString());
        Assert.Equal("hybrid", status.GetProperty("memoryKind").GetString());

        // The memory holds the prompt and the generated tokens but the last (sampled, then stopped at).
        Assert.Equal(
            status.GetProperty("lastSync").GetProperty("desiredTokens").GetInt32() + status.GetProperty("lastGeneration").GetProperty("tokens").GetInt32() - 1,
            status.GetProperty("contextTokens").GetInt32());
        Assert.True(status.GetProperty("checkpoints").GetProperty("count").GetInt32() > 0);
        Assert.True(status.GetProperty("checkpoints").GetProperty("bytes").GetInt64() > 0);
        foreach (string key in new[] { "keptTokens", "restoredFrom", "decodedTokens", "idealTokens", "ms" })
        {
            Assert.Equal(JsonValueKind.Number, status.GetProperty("lastSync").GetProperty(key).ValueKind);
        }

        Assert.Equal(JsonValueKind.Number, status.GetProperty("lastGeneration").GetProperty("tokens").ValueKind);
        Assert.Equal(JsonValueKind.Number, status.GetProperty("lastGeneration").GetProperty("ms").ValueKind);
    }
}
