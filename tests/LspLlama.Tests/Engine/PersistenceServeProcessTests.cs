using System.Diagnostics;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Store;
using LspLlama.Tests.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// The executable keeps sessions in the user's cache folder (here a private XDG_CACHE_HOME): a
/// second process on the same workspace and model starts from the first one's memory.
/// </summary>
public sealed class PersistenceServeProcessTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_second_process_restores_what_the_first_saved_in_the_cache_folder()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        string workspace = Directory.CreateDirectory(Path.Combine(_folder.Path, "workspace")).FullName;
        string cache = Path.Combine(_folder.Path, "cache");
        (string Uri, string Text)[] documents = PersistenceServer.Documents(workspace);

        (JsonElement firstAnswer, JsonElement firstSync) = await ServeOnceAsync(model, workspace, cache, documents);
        string sessions = Path.Combine(cache, "lspllama", "sessions");
        Assert.Single(Directory.GetFiles(sessions, "*" + SessionFileFormat.FileExtension));
        (JsonElement secondAnswer, JsonElement secondSync) = await ServeOnceAsync(model, workspace, cache, documents);

        Assert.Equal(0, firstSync.GetProperty("keptTokens").GetInt32());
        Assert.True(secondSync.GetProperty("keptTokens").GetInt32() > 300, secondSync.GetRawText());
        Assert.True(secondSync.GetProperty("decodedTokens").GetInt32() * 8 < firstSync.GetProperty("decodedTokens").GetInt32(), secondSync.GetRawText());
        Assert.Equal(firstAnswer.GetRawText(), secondAnswer.GetRawText());
    }

    private static async Task<(JsonElement Answer, JsonElement Sync)> ServeOnceAsync(string model, string workspace, string cache, (string Uri, string Text)[] documents)
    {
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lspllama.dll"));
        start.ArgumentList.Add("--model");
        start.ArgumentList.Add(model);
        start.Environment["XDG_CACHE_HOME"] = cache;
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Stream input = process.StandardInput.BaseStream;
            Stream output = process.StandardOutput.BaseStream;
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
            await LspFrames.SendAsync(input, LspFrames.Request(1, LspMethods.Initialize, new
            {
                rootUri = new Uri(workspace).AbsoluteUri,
                capabilities = new { },
                initializationOptions = new
                {
                    model = new { contextSize = 2048, batchSize = 256, microBatchSize = 256 },
                    completion = new { maxTokens = 12, timeBudgetMs = 60_000, idlePrefillMs = 0 },
                },
            }));
            await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 1), timeout.Token);
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.Initialized, new { }));
            await LspFrames.ReadUntilAsync(
                output,
                m => m.TryGetProperty("method", out JsonElement method) && method.GetString() == LspMethods.StatusChanged
                    && m.GetProperty("params").GetProperty("state").GetString() == "ready",
                timeout.Token);

            foreach ((string uri, string text) in documents)
            {
                await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.DidOpen, new { textDocument = new { uri, languageId = "python", version = 1, text } }));
            }

            string[] lines = documents[^1].Text.Split('\n');
            await LspFrames.SendAsync(input, LspFrames.Request(2, LspMethods.InlineCompletion, new
            {
                textDocument = new { uri = documents[^1].Uri },
                position = new { line = lines.Length - 1, character = lines[^1].Length },
            }));
            JsonElement answer = (await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 2), timeout.Token)).GetProperty("result");
            await LspFrames.SendAsync(input, LspFrames.Request(3, LspMethods.Status, null));
            JsonElement sync = (await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 3), timeout.Token)).GetProperty("result").GetProperty("lastSync");

            await LspFrames.SendAsync(input, LspFrames.Request(4, LspMethods.Shutdown, null));
            await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 4), timeout.Token);
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.Exit, null));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await stderr);
            return (answer, sync);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
