using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Store;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// A restarted server picks up the model's memory from the session store: same workspace, same
/// model, and the first completion decodes only what the stored session does not cover, with the
/// same (greedy) answer as before the restart. A damaged file costs a full prefill, nothing more.
/// </summary>
public sealed class PersistenceRestartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lspllama-persist-").FullName;

    private string Workspace => Directory.CreateDirectory(Path.Combine(_root, "workspace")).FullName;

    private string StoreDirectory => Path.Combine(_root, "store");

    [Theory]
    [InlineData("GraniteHybrid")]
    [InlineData("Llama")]
    public async Task A_restarted_server_restores_the_session_and_answers_the_same(string arch)
    {
        string model = TinyModels.Get(Enum.Parse<TinyArch>(arch));
        (string Uri, string Text)[] documents = PersistenceServer.Documents(Workspace);

        (string firstAnswer, RestartStatus first) = await RunOnceAsync(model, documents);
        string[] files = Directory.GetFiles(StoreDirectory, "*" + SessionFileFormat.FileExtension);
        Assert.Single(files);

        await using PersistenceServer second = await PersistenceServer.StartAsync(Workspace, model, StoreDirectory);
        string secondAnswer = await second.OpenAndCompleteAsync(documents);
        await second.Client.WaitForLogAsync("Restored the stored session");
        RestartStatus status = await second.StatusAsync();

        RestartStatus firstSync = first;
        RestartStatus sync = status;
        Assert.Equal(firstSync.KeptTokens + firstSync.DecodedTokens, sync.KeptTokens + sync.DecodedTokens);
        Assert.Equal(0, firstSync.KeptTokens);
        Assert.True(sync.KeptTokens > 300, $"kept {sync.KeptTokens} tokens");
        Assert.True(sync.DecodedTokens * 8 < firstSync.DecodedTokens, $"decoded {sync.DecodedTokens} after the restart, {firstSync.DecodedTokens} before");
        Assert.Equal(first.GeneratedTokens, status.GeneratedTokens);
        Assert.Equal(firstAnswer, secondAnswer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // as Emacs has a CRLF file: "\r\n" on disk, "\n" in the editor's text
    public async Task A_restarted_server_lays_out_the_stored_files_when_the_editor_reopens_only_the_active_one(bool crlfOnDisk)
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        (string Uri, string Text)[] documents = PersistenceServer.Documents(Workspace, files: 3);
        PersistenceServer.WriteToDisk(documents);
        if (crlfOnDisk)
        {
            File.WriteAllText(new Uri(documents[1].Uri).LocalPath, documents[1].Text.Replace("\n", "\r\n", StringComparison.Ordinal));
        }

        (string firstAnswer, RestartStatus first) = await RunOnceAsync(model, documents);

        // As VS Code after a restart: only the visible editor is opened; the others come when clicked.
        await using PersistenceServer second = await PersistenceServer.StartAsync(Workspace, model, StoreDirectory);
        await second.Client.WaitForLogAsync("Laid out the 3 files the stored session was planned from");
        string secondAnswer = await second.OpenAndCompleteAsync([documents[^1]]);
        await second.Client.WaitForLogAsync("Restored the stored session");
        RestartStatus status = await second.StatusAsync();
        JsonElement plan = (await second.Client.RequestAsync<JsonElement>(LspMethods.Status, null)).GetProperty("plan");

        Assert.Equal(documents.Select(d => d.Uri), plan.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("uri").GetString()));
        Assert.Equal([true, true, false], plan.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("closed").GetBoolean()));
        Assert.Equal(first.KeptTokens + first.DecodedTokens, status.KeptTokens + status.DecodedTokens);
        Assert.True(status.DecodedTokens * 8 < first.DecodedTokens, $"decoded {status.DecodedTokens} after the restart, {first.DecodedTokens} before");
        Assert.Equal(firstAnswer, secondAnswer);
    }

    [Fact]
    public async Task Stored_files_that_changed_or_went_away_are_laid_out_as_they_are_on_disk()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        (string Uri, string Text)[] documents = PersistenceServer.Documents(Workspace, files: 3);
        PersistenceServer.WriteToDisk(documents);
        (_, RestartStatus first) = await RunOnceAsync(model, documents);

        // Between the runs the first file is deleted and the second gets a new line at its end.
        File.Delete(new Uri(documents[0].Uri).LocalPath);
        string changed = documents[1].Text + "extra = 1\n";
        File.WriteAllText(new Uri(documents[1].Uri).LocalPath, changed);

        await using PersistenceServer second = await PersistenceServer.StartAsync(Workspace, model, StoreDirectory);
        await second.Client.WaitForLogAsync("Laid out 2 of the 3 files");
        await second.OpenAndCompleteAsync([documents[^1]]);
        JsonElement report = await second.Client.RequestAsync<JsonElement>(LspMethods.Status, null);
        RestartStatus status = await second.StatusAsync();

        Assert.Equal([documents[1].Uri, documents[2].Uri], report.GetProperty("plan").GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("uri").GetString()));

        // The stored tokens start with the deleted file: nothing of them matches the new plan.
        Assert.Equal(0, status.KeptTokens);
        Assert.True(status.DecodedTokens < first.DecodedTokens, $"decoded {status.DecodedTokens}, first run {first.DecodedTokens}");
        Assert.Equal("ready", status.State);
    }

    [Fact]
    public async Task A_damaged_session_file_is_removed_with_a_warning_and_the_context_is_decoded_in_full()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        (string Uri, string Text)[] documents = PersistenceServer.Documents(Workspace);
        (string firstAnswer, RestartStatus first) = await RunOnceAsync(model, documents);
        string file = Assert.Single(Directory.GetFiles(StoreDirectory, "*" + SessionFileFormat.FileExtension));
        using (FileStream stream = new(file, FileMode.Open, FileAccess.ReadWrite))
        {
            // A flipped byte in the middle of the state blob: only its checksum can tell.
            stream.Position = stream.Length / 2;
            int b = stream.ReadByte();
            stream.Position = stream.Length / 2;
            stream.WriteByte((byte)(b ^ 0x5A));
        }

        await using PersistenceServer second = await PersistenceServer.StartAsync(Workspace, model, StoreDirectory);
        string secondAnswer = await second.OpenAndCompleteAsync(documents);
        LogMessageParams warning = await second.Client.WaitForLogAsync("Ignoring the stored session");
        RestartStatus status = await second.StatusAsync();

        Assert.Equal(MessageType.Warning, warning.Type);
        Assert.Contains("checksum", warning.Message, StringComparison.Ordinal);
        Assert.Equal(0, status.KeptTokens);
        Assert.Equal(first.DecodedTokens, status.DecodedTokens);
        Assert.Equal(firstAnswer, secondAnswer);
        Assert.Equal("ready", status.State);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is cleaned by the system otherwise.
        }
    }

    private async Task<(string Answer, RestartStatus Status)> RunOnceAsync(string model, (string Uri, string Text)[] documents)
    {
        await using PersistenceServer server = await PersistenceServer.StartAsync(Workspace, model, StoreDirectory);
        string answer = await server.OpenAndCompleteAsync(documents);
        return (answer, await server.StatusAsync());
    }
}
