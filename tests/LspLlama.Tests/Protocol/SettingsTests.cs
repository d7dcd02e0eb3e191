using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server.Settings;
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
        Assert.Equal(LogLevel.Debug, client.Server.Settings.Current.Log.Level);
    }

    [Fact]
    public async Task Pushed_settings_under_an_lspllama_key_apply_and_bad_values_keep_the_previous_one()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { lspllama = new { log = new { level = "warning" } }, otherTool = 1 } });
        await client.WaitForLogAsync("Settings from workspace/didChangeConfiguration applied");
        Assert.Equal(LogLevel.Warning, client.Server.Settings.Current.Log.Level);

        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { log = new { level = "loud" }, future = new { x = 1 } } });
        LogMessageParams warning = await client.WaitForLogAsync("log.level");
        Assert.Equal(MessageType.Warning, warning.Type);
        Assert.Equal(LogLevel.Warning, client.Server.Settings.Current.Log.Level);
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
        Assert.Equal(LogLevel.Trace, client.Server.Settings.Current.Log.Level);

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

    /// <summary>What VS Code pushes for its own defaults: the whole section, with its "the server decides" placeholders.</summary>
    private static readonly object s_vsCodeDefaults = new
    {
        lspllama = new
        {
            server = new { path = "lspllama", args = Array.Empty<string>() },
            languages = Array.Empty<string>(),
            model = new { path = "", contextSize = 0, gpuLayers = -1 },
            completion = new { maxTokens = 0 },
            checkpoints = new { maxMemoryMiB = 0 },
            log = new { level = "information" },
            trace = new { server = "off" },
        },
    };

    [Fact]
    public async Task Placeholders_pushed_with_didChangeConfiguration_mean_the_server_defaults_and_warn_nothing()
    {
        await using LspTestClient client = new();
        await client.InitializeAsync(initializationOptions: new { model = new { contextSize = 4096 }, checkpoints = new { maxMemoryMiB = 64 } });
        await client.NotifyAsync(LspMethods.Initialized, new { });
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = s_vsCodeDefaults });
        await client.WaitForLogAsync("Settings from workspace/didChangeConfiguration applied");

        // Back to the defaults (a placeholder is "unset", even over an earlier value), not a zero budget.
        ServerSettings current = client.Server.Settings.Current;
        Assert.Equal(ServerSettings.Default.Model, current.Model);
        Assert.Equal(ServerSettings.Default.Checkpoints, current.Checkpoints);
        Assert.Equal(ServerSettings.Default.Completion, current.Completion);
        Assert.DoesNotContain("kept", client.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placeholders_answered_to_workspace_configuration_mean_the_server_defaults()
    {
        await using LspTestClient client = new()
        {
            ConfigurationAnswer = JsonSerializer.SerializeToElement(
                new { model = new { contextSize = (int?)null, gpuLayers = -1 }, checkpoints = new { maxMemoryMiB = 0 }, completion = new { maxTokens = 0 }, log = new { level = "debug" } }),
        };
        await client.StartAsync(new ClientCapabilities(Workspace: new WorkspaceClientCapabilities(Configuration: true)));
        await client.WaitForLogAsync("Settings from workspace/configuration applied");
        ServerSettings current = client.Server.Settings.Current;
        Assert.Equal(1024, current.Checkpoints.Values.MaxMemoryMiB);
        Assert.Equal(ServerSettings.Default.Model, current.Model);
        Assert.Equal(ServerSettings.Default.Completion.Generation.MaxTokens, current.Completion.Generation.MaxTokens);
        Assert.DoesNotContain("kept", client.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_applied_change_names_its_sections_instead_of_dumping_the_settings()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { completion = new { maxTokens = 32 } } });
        LogMessageParams applied = await client.WaitForLogAsync("Settings from workspace/didChangeConfiguration applied");
        Assert.EndsWith("applied: completion changed", applied.Message, StringComparison.Ordinal);
    }
}
