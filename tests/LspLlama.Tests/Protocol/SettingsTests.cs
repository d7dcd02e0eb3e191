using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LspLlama.Tests.Protocol;

public sealed class SettingsTests
{
    [Fact]
    public async Task InitializationOptions_set_the_log_level()
    {
        await using LspTestClient client = new();
        await client.InitializeAsync(initializationOptions: new { log = new { level = "debug" } });
        Assert.Equal(LogLevel.Debug, client.Server.Services.Settings.Current.Log.Level);
    }

    [Fact]
    public async Task Pushed_settings_under_an_lspllama_key_apply_and_bad_values_keep_the_previous_one()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { lspllama = new { log = new { level = "warning" } }, otherTool = 1 } });
        await client.WaitForLogAsync("Settings from workspace/didChangeConfiguration applied");
        Assert.Equal(LogLevel.Warning, client.Server.Services.Settings.Current.Log.Level);

        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { log = new { level = "loud" }, future = new { x = 1 } } });
        LogMessageParams warning = await client.WaitForLogAsync("log.level");
        Assert.Equal(MessageType.Warning, warning.Type);
        Assert.Equal(LogLevel.Warning, client.Server.Services.Settings.Current.Log.Level);
    }

    [Fact]
    public async Task Settings_are_pulled_with_workspace_configuration_when_the_client_serves_it()
    {
        await using LspTestClient client = new()
        {
            ConfigurationAnswer = JsonSerializer.SerializeToElement(new { log = new { level = "trace" } }),
        };
        await client.StartAsync(new ClientCapabilities(Workspace: new WorkspaceClientCapabilities(Configuration: true)));

        ConfigurationParams request = await client.WaitForConfigurationRequestAsync();
        Assert.Equal("lspllama", Assert.Single(request.Items).Section);
        await client.WaitForLogAsync("Settings from workspace/configuration applied");
        Assert.Equal(LogLevel.Trace, client.Server.Services.Settings.Current.Log.Level);

        // An empty push means "ask me again".
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = (object?)null });
        await client.WaitForConfigurationRequestAsync();
    }

    [Fact]
    public async Task The_log_level_filters_what_the_client_receives()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { log = new { level = "error" } } });
        await client.ChangeAsync("file:///hidden", 1, new TextDocumentContentChangeEvent("x"));
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { log = new { level = "information" } } });
        await client.ChangeAsync("file:///shown", 1, new TextDocumentContentChangeEvent("x"));

        await client.WaitForLogAsync("file:///shown");
        Assert.DoesNotContain("file:///hidden", client.Log.ToString(), StringComparison.Ordinal);
    }
}
