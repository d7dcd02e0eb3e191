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
    [InlineData("folder", "not a regular file (a folder)")]
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
