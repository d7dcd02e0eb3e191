using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>Without a usable model the user is told why, text sync keeps working and completions are empty.</summary>
public sealed class ModelProblemTests
{
    [Fact]
    public async Task No_model_found_is_shown_and_the_server_keeps_serving()
    {
        await using EngineClient client = new();
        await client.StartAsync(EngineClient.Settings(null));
        ShowMessageParams message = await client.WaitForMessageAsync();
        Assert.Equal(MessageType.Warning, message.Type);
        Assert.Contains("no model configured and none found", message.Message, StringComparison.Ordinal);
        Assert.Contains(client.EmptyFolder, message.Message, StringComparison.Ordinal);
        await AssertServesWithoutModelAsync(client, "noModel");
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("text", "not a GGUF model file")]
    [InlineData("folder", "it is a folder, not a model file")]
    public async Task A_broken_model_path_is_shown_and_the_server_keeps_serving(string kind, string reason)
    {
        string folder = Directory.CreateTempSubdirectory("lspllama-bad-model-").FullName;
        try
        {
            string path = Path.Combine(folder, "model.gguf");
            if (kind == "text")
            {
                await File.WriteAllTextAsync(path, "this is not a model\n");
            }
            else if (kind == "folder")
            {
                Directory.CreateDirectory(path);
            }

            await using EngineClient client = new();
            await client.StartAsync(EngineClient.Settings(path));
            ShowMessageParams message = await client.WaitForMessageAsync();
            Assert.Equal(MessageType.Error, message.Type);
            Assert.Contains(path, message.Message, StringComparison.Ordinal);
            Assert.Contains(reason, message.Message, StringComparison.Ordinal);
            await AssertServesWithoutModelAsync(client, "error");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("Neovim", "require('lspllama').setup()")]
    [InlineData("Emacs", "lspllama-model-path")]
    [InlineData("Visual Studio Code", "lspllama.model.path")]
    [InlineData("code-server", "lspllama.model.path")]
    public async Task The_message_names_the_model_option_of_the_editor_that_asked(string clientName, string option)
    {
        await using EngineClient client = new();
        await client.StartAsync(EngineClient.Settings(null), clientName: clientName);
        ShowMessageParams message = await client.WaitForMessageAsync();
        Assert.Contains(option, message.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_found_by_searching_is_shown_once_with_its_path()
    {
        await using EngineClient client = new();
        string found = Path.Combine(client.EmptyFolder, "tiny-coder.gguf");
        File.Copy(TinyModels.Get(TinyArch.Llama), found);
        Dictionary<string, object?> settings = EngineClient.Settings(null);
        await client.StartWithModelAsync(settings);
        ShowMessageParams message = await client.WaitForMessageAsync();
        Assert.Equal(MessageType.Info, message.Type);
        Assert.Contains(found, message.Message, StringComparison.Ordinal);

        // A reload of the same model (a context change) does not say it again.
        settings["model"] = new { contextSize = 2048 };
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings });
        await client.WaitForStatusAsync(s => s.GetProperty("contextSize").GetInt32() == 2048 && EngineClient.State(s) == "ready");
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { model = new { path = Path.Combine(client.EmptyFolder, "missing.gguf") } } });
        Assert.Contains("missing.gguf", (await client.WaitForMessageAsync()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_model_set_by_a_settings_change_is_shown_and_the_status_says_error()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.Llama)));
        string missing = Path.Combine(client.EmptyFolder, "gone.gguf");
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { lspllama = new { model = new { path = missing } } } });
        ShowMessageParams message = await client.WaitForMessageAsync();
        Assert.Equal(MessageType.Error, message.Type);
        Assert.Contains(missing, message.Message, StringComparison.Ordinal);
        JsonElement status = await client.WaitForStatusAsync(s => EngineClient.State(s) == "error");
        Assert.Contains("gone.gguf", status.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task AssertServesWithoutModelAsync(EngineClient client, string state)
    {
        await SyncFigureTests.OpenWorkspaceAsync(client);
        await client.InsertAsync(SyncFigureTests.C, 2, 3, 13, "um");
        DocumentTextResult text = await client.RequestAsync<DocumentTextResult>(LspMethods.DocumentText, new DocumentTextParams(SyncFigureTests.C));
        Assert.Contains("    total = sum\n", text.Text, StringComparison.Ordinal);
        Assert.Empty((await client.InlineAsync(SyncFigureTests.C, 3, 15)).Items);
        Assert.Empty((await client.ClassicAsync(SyncFigureTests.C, 3, 15)).Items);
        JsonElement status = await client.StatusAsync();
        Assert.Equal(state, EngineClient.State(status));
        Assert.False(status.TryGetProperty("model", out _));
    }
}
