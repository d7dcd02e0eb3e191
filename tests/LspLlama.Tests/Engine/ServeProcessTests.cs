using System.Diagnostics;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary><c>lspllama serve --model</c> as an editor runs it: a completion over real stdio.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_with_a_model_option_answers_an_inline_completion_over_stdio()
    {
        string model = TinyModels.Get(TinyArch.Llama);
        string dll = Path.Combine(AppContext.BaseDirectory, "lspllama.dll");
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { dll, "serve", "--model", model, "--log-stderr" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Stream input = process.StandardInput.BaseStream;
            Stream output = process.StandardOutput.BaseStream;
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(90));
            var settings = new { model = new { contextSize = 512, batchSize = 64 }, completion = new { maxTokens = 4, idlePrefillMs = 0 } };
            await LspFrames.SendAsync(input, LspFrames.Request(1, LspMethods.Initialize, new { capabilities = new { }, initializationOptions = settings }));
            await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 1), timeout.Token);
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.Initialized, new { }));
            JsonElement ready = await LspFrames.ReadUntilAsync(output, m => IsStatus(m, "ready"), timeout.Token);
            Assert.Equal(model, ready.GetProperty("params").GetProperty("model").GetProperty("path").GetString());

            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.DidOpen, new { textDocument = new { uri = "file:///x.py", languageId = "python", version = 1, text = "def add(a, b):\n    return \n" } }));
            await LspFrames.SendAsync(input, LspFrames.Request(2, LspMethods.InlineCompletion, new { textDocument = new { uri = "file:///x.py" }, position = new { line = 1, character = 11 }, context = new { triggerKind = 1 } }));
            JsonElement answer = await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 2), timeout.Token);
            Assert.Equal(JsonValueKind.Array, answer.GetProperty("result").GetProperty("items").ValueKind);
            await LspFrames.SendAsync(input, LspFrames.Request(3, LspMethods.Status, null));
            JsonElement status = (await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 3), timeout.Token)).GetProperty("result");
            Assert.True(status.GetProperty("lastSync").GetProperty("decodedTokens").GetInt32() > 0);
            Assert.True(status.GetProperty("lastGeneration").GetProperty("tokens").GetInt32() > 0);

            await LspFrames.SendAsync(input, LspFrames.Request(4, LspMethods.Shutdown, null));
            await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 4), timeout.Token);
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.Exit, null));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Loaded", await stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private static bool IsStatus(JsonElement message, string state) =>
        message.TryGetProperty("method", out JsonElement method) && method.GetString() == LspMethods.StatusChanged
        && message.GetProperty("params").GetProperty("state").GetString() == state;
}
