using System.Text.Json;
using LspLlama.Bench;
using LspLlama.Cli;
using LspLlama.Tests.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Bench;

/// <summary>The restart benchmark runs end to end on a small context and writes its JSON (the figures are the benchmark's business).</summary>
public sealed class RestartBenchTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Writes_the_times_the_file_size_and_what_reopening_only_the_last_file_decodes()
    {
        Directory.CreateDirectory(_folder.Path);
        string json = Path.Combine(_folder.Path, "restart.json");

        int exit = await BenchRestartArgs.RunAsync(new ArgReader(["--context", "1024", "--model", TinyModels.Get(TinyArch.GraniteHybrid), "--json", json]));

        Assert.Equal(0, exit);
        JsonElement restart = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("restart");
        Assert.True(restart.GetProperty("withStoreMs").GetDouble() > 0);
        Assert.True(restart.GetProperty("withoutStoreMs").GetDouble() > 0);
        Assert.True(restart.GetProperty("fileBytes").GetInt64() > 10_000);

        // Only the last file reopened: the others are laid out from disk, so almost nothing is decoded.
        Assert.True(restart.GetProperty("activeOnlyMs").GetDouble() > 0);
        Assert.InRange(restart.GetProperty("activeOnlyDecodedTokens").GetInt32(), 1, 64);
    }

    [Fact]
    public async Task A_context_too_small_is_a_usage_error()
    {
        await Assert.ThrowsAsync<UsageException>(() => BenchRestartArgs.RunAsync(new ArgReader(["--context", "100"])));
    }
}
