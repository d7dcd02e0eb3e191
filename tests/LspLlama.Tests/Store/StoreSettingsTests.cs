using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server;
using LspLlama.Server.Settings;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class StoreSettingsTests
{
    [Fact]
    public void The_store_is_on_in_the_cache_folder_with_four_GiB_by_default()
    {
        Assert.Equal(new StoreSection(true, null, 4096), ServerSettings.Default.Store);
    }

    [Fact]
    public void Binds_every_key_and_keeps_what_is_absent()
    {
        SettingsProblems problems = new();
        ServerSettings settings = SettingsBinder.Apply(
            ServerSettings.Default, JsonDocument.Parse("""{"lspllama":{"store":{"enabled":false,"directory":"/tmp/sessions","maxDiskMiB":512}}}""").RootElement, problems);
        ServerSettings partial = SettingsBinder.Apply(settings, JsonDocument.Parse("""{"store":{"directory":null}}""").RootElement, problems);

        Assert.Equal(new StoreSection(false, "/tmp/sessions", 512), settings.Store);
        Assert.Equal(("/tmp/sessions", 512L), (settings.Store.Options.Directory, settings.Store.Options.MaxDiskMiB));
        Assert.Equal(new StoreSection(false, null, 512), partial.Store);
        Assert.Empty(problems.Warnings);
    }

    [Theory]
    [InlineData("""{"store":{"enabled":"yes"}}""")]
    [InlineData("""{"store":{"maxDiskMiB":-1}}""")]
    [InlineData("""{"store":{"maxDiskMiB":1.5}}""")]
    [InlineData("""{"store":{"directory":7}}""")]
    [InlineData("""{"store":true}""")]
    public void A_bad_value_warns_and_keeps_the_previous_value(string json)
    {
        ServerSettings previous = ServerSettings.Default with { Store = new StoreSection(false, "/x", 10) };
        SettingsProblems problems = new();

        ServerSettings settings = SettingsBinder.Apply(previous, JsonDocument.Parse(json).RootElement, problems);

        Assert.Equal(previous, settings);
        Assert.Single(problems.Warnings);
    }

    [Theory]
    [InlineData("file:///home/me/project", null, null, "/home/me/project")]
    [InlineData("file:///home/me/other", "file:///home/me/project", null, "/home/me/project")]
    [InlineData(null, null, "/srv/code", "/srv/code")]
    [InlineData("untitled:notes", null, null, null)]
    [InlineData(null, null, null, null)]
    public void The_workspace_root_is_the_first_folder_else_the_root_uri_else_the_root_path(string? rootUri, string? folder, string? rootPath, string? expected)
    {
        InitializeParams request = new(RootUri: rootUri, RootPath: rootPath, WorkspaceFolders: folder is null ? null : [new WorkspaceFolder(folder, "p")]);

        Assert.Equal(expected, WorkspaceRoot.Of(request));
    }
}
