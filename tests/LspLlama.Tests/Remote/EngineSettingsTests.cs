using System.Text.Json;
using LspLlama.Server.Settings;
using Xunit;

namespace LspLlama.Tests.Remote;

public sealed class EngineSettingsTests
{
    [Fact]
    public void The_engine_is_in_process_by_default()
    {
        Assert.False(ServerSettings.Default.Engine.IsRemote);
        Assert.Equal(-1, ServerSettings.Default.Engine.Slot);
    }

    [Fact]
    public void Binds_every_key_and_an_empty_url_goes_back_in_process()
    {
        SettingsProblems problems = new();
        ServerSettings remote = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse(
            """{"lspllama":{"engine":{"url":"http://gpu.example:8012","apiKey":"k","slot":3,"api":"OpenAI","timeoutMs":2500}}}""").RootElement, problems);
        Assert.Equal(new EngineSection(new Uri("http://gpu.example:8012/"), "k", 3, EngineSection.OpenAi, 2500), remote.Engine);
        Assert.False(remote.Engine.PlaceCheckpoints);
        ServerSettings placed = SettingsBinder.Apply(remote, JsonDocument.Parse("""{"engine":{"placeCheckpoints":true,"checkpointSpacing":1024}}""").RootElement, problems);
        Assert.Equal((true, 1024), (placed.Engine.PlaceCheckpoints, placed.Engine.CheckpointSpacing));

        // A path keeps its trailing slash, so the endpoints land under it.
        ServerSettings proxied = SettingsBinder.Apply(remote, JsonDocument.Parse("""{"engine":{"url":"https://proxy/llama"}}""").RootElement, problems);
        Assert.Equal(new Uri("https://proxy/llama/"), proxied.Engine.Url);
        Assert.Equal("https://proxy/llama/completion", new Uri(proxied.Engine.Url!, "completion").ToString());

        ServerSettings local = SettingsBinder.Apply(remote, JsonDocument.Parse("""{"engine":{"url":""}}""").RootElement, problems);
        Assert.False(local.Engine.IsRemote);
        Assert.Empty(problems.Warnings);
    }

    [Theory]
    [InlineData("""{"engine":{"url":"ftp://host/"}}""")]
    [InlineData("""{"engine":{"url":"not a url"}}""")]
    [InlineData("""{"engine":{"slot":-2}}""")]
    [InlineData("""{"engine":{"api":"grpc"}}""")]
    public void A_bad_value_warns_and_keeps_the_previous_value(string json)
    {
        ServerSettings previous = ServerSettings.Default with { Engine = new EngineSection(new Uri("http://127.0.0.1:8012/"), Slot: 1) };
        SettingsProblems problems = new();
        ServerSettings after = SettingsBinder.Apply(previous, JsonDocument.Parse(json).RootElement, problems);
        Assert.Equal(previous.Engine, after.Engine);
        Assert.Single(problems.Warnings);
    }
}
