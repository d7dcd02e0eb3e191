using System.Text.Json;
using LspLlama.Core.Context;
using LspLlama.Protocol;
using LspLlama.Server.Settings;
using LspLlama.Tests.Engine;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Protocol;

/// <summary>Small settings and lifecycle cases a careless or hostile client hits.</summary>
public sealed class SmallHostileInputTests
{
    [Fact]
    public void The_smallest_accepted_context_fits_the_default_generation_reserve()
    {
        SettingsProblems problems = new();
        ServerSettings settings = SettingsBinder.Apply(
            ServerSettings.Default, JsonDocument.Parse("""{"model":{"contextSize":256}}""").RootElement, problems);
        Assert.Equal(ServerSettings.Default.Model.ContextSize, settings.Model.ContextSize);
        Assert.Contains("model.contextSize", Assert.Single(problems.Warnings), StringComparison.Ordinal);

        settings = SettingsBinder.Apply(
            ServerSettings.Default, JsonDocument.Parse(JsonSerializer.Serialize(new { model = new { contextSize = ModelSettingsSection.MinContextSize } })).RootElement, problems);
        Assert.Equal(ModelSettingsSection.MinContextSize, settings.Model.ContextSize);
        (settings.Context.Plan with { ContextSize = settings.Model.ContextSize }).Validate();
    }

    [Fact]
    public async Task The_smallest_accepted_context_serves_completions()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.Llama), contextSize: ModelSettingsSection.MinContextSize));
        await SyncFigureTests.OpenWorkspaceAsync(client);
        await client.InlineAsync(SyncFigureTests.C, 3, 13);
        JsonElement status = await client.StatusAsync();
        Assert.Equal("ready", EngineClient.State(status));
        Assert.Equal(1, status.GetProperty("completions").GetInt32());
    }

    [Fact]
    public async Task Fixing_a_context_setting_clears_its_error_in_the_status_at_once()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.Llama)));
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { context = new { generationReserve = 5000 } } });
        await client.WaitForStatusAsync(s => EngineClient.State(s) == "error");

        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { context = new { generationReserve = 256 } } });
        await client.WaitForStatusAsync(s => EngineClient.State(s) == "ready");
        JsonElement status = await client.StatusAsync();
        Assert.Equal("ready", EngineClient.State(status));
        Assert.Equal(0, status.GetProperty("completions").GetInt32());
    }

    [Fact]
    public async Task An_initialize_with_wrongly_typed_params_is_refused_and_a_correct_retry_works()
    {
        await using LspRawConnection connection = new();
        JsonElement refused = await connection.RequestAsync(LspMethods.Initialize, new { capabilities = 5, processId = "x" }, id: 1);
        Assert.Equal(LspErrorCodes.InvalidParams, refused.GetProperty("error").GetProperty("code").GetInt32());

        JsonElement accepted = await connection.RequestAsync(LspMethods.Initialize, new { capabilities = new { } }, id: 2);
        Assert.True(accepted.GetProperty("result").TryGetProperty("capabilities", out _), accepted.ToString());
        JsonElement again = await connection.RequestAsync(LspMethods.Initialize, new { capabilities = new { } }, id: 3);
        Assert.Equal(LspErrorCodes.InvalidRequest, again.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("~/models/m.gguf", "/models/m.gguf")]
    [InlineData("~", "")]
    public void A_tilde_in_a_path_setting_is_the_home_folder(string setting, string rest)
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        SettingsProblems problems = new();
        string json = JsonSerializer.Serialize(new { model = new { path = setting }, store = new { directory = setting } });
        ServerSettings settings = SettingsBinder.Apply(ServerSettings.Default, JsonDocument.Parse(json).RootElement, problems);
        Assert.Equal(home + rest, settings.Model.Path);
        Assert.Equal(home + rest, settings.Store.Directory);
        Assert.Empty(problems.Warnings);
    }

    [Theory]
    [InlineData("~user/m.gguf")]
    [InlineData("/abs/~/m.gguf")]
    [InlineData("rel/m.gguf")]
    public void Other_paths_are_kept_as_they_are(string setting) => Assert.Equal(setting, HomePath.Expand(setting));
}
