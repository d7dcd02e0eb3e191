using System.Diagnostics;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Protocol;

/// <summary>The built executable over real stdio, as an editor runs it.</summary>
public sealed class StdioProcessTests
{
    [Fact]
    public async Task The_executable_serves_a_session_over_stdio_and_exits_with_0()
    {
        // The test project references the executable, so its build output sits next to ours.
        string dll = Path.Combine(AppContext.BaseDirectory, "lspllama.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--log-level");
        start.ArgumentList.Add("debug");
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Stream input = process.StandardInput.BaseStream;
            Stream output = process.StandardOutput.BaseStream;
            using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));

            await LspFrames.SendAsync(input, LspFrames.Request(1, LspMethods.Initialize, new { capabilities = new { general = new { positionEncodings = new[] { "utf-8" } } } }));
            // The log reaches the client as window/logMessage of its level (sent before the answer),
            // and not stderr as well: editors show stderr as errors, next to the log messages.
            JsonElement logged = await LspFrames.ReadUntilAsync(
                output,
                m => m.TryGetProperty("method", out JsonElement method) && method.GetString() == LspMethods.LogMessage
                    && m.GetProperty("params").GetProperty("message").GetString()!.Contains("Initialized by", StringComparison.Ordinal),
                timeout.Token);
            Assert.Equal(MessageType.Info, logged.GetProperty("params").GetProperty("type").GetInt32());
            JsonElement initialized = await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 1), timeout.Token);
            Assert.Equal("utf-8", initialized.GetProperty("result").GetProperty("capabilities").GetProperty("positionEncoding").GetString());

            // Native code that writes to fd 1 (ggml's crash handler does) writes into the log:
            // the protocol has its own copy of the original stdout.
            if (OperatingSystem.IsLinux())
            {
                string fds = $"/proc/{process.Id}/fd/";
                Assert.Equal(new FileInfo(fds + "2").LinkTarget, new FileInfo(fds + "1").LinkTarget);
            }

            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.Initialized, new { }));
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.DidOpen, new { textDocument = new { uri = "file:///x.py", languageId = "python", version = 1, text = "def f():\n    return 1\n" } }));
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.DidChange, new
            {
                textDocument = new { uri = "file:///x.py", version = 2 },
                contentChanges = new[] { new { range = new { start = new { line = 1, character = 11 }, end = new { line = 1, character = 12 } }, text = "42 # ünï" } },
            }));
            await LspFrames.SendAsync(input, LspFrames.Request(2, LspMethods.DocumentText, new { uri = "file:///x.py" }));
            JsonElement text = (await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 2), timeout.Token)).GetProperty("result");
            Assert.Equal("def f():\n    return 42 # ünï\n", text.GetProperty("text").GetString());
            Assert.Equal(2, text.GetProperty("version").GetInt32());

            await LspFrames.SendAsync(input, LspFrames.Request(3, LspMethods.Shutdown, null));
            await LspFrames.ReadUntilAsync(output, m => LspFrames.IsResponse(m, 3), timeout.Token);
            await LspFrames.SendAsync(input, LspFrames.Notification(LspMethods.Exit, null));

            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);

            // After exit nothing else may follow on stdout: not even a partial frame.
            Assert.Null(await LspFrames.ReadAsync(output, timeout.Token));
            Assert.DoesNotContain("Initialized by", await stderr, StringComparison.Ordinal);
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
