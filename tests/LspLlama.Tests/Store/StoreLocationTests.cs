using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class StoreLocationTests
{
    private static Func<string, string?> Environment(string? xdg) =>
        name => name switch
        {
            "HOME" => "/home/u",
            "XDG_CACHE_HOME" => xdg,
            _ => null,
        };

    [Theory]
    [InlineData("/var/cache/u", "/var/cache/u/lspllama/sessions")]
    [InlineData(null, "/home/u/.cache/lspllama/sessions")]
    [InlineData("", "/home/u/.cache/lspllama/sessions")]
    [InlineData("relative/cache", "/home/u/.cache/lspllama/sessions")]
    public void Linux_follows_the_XDG_cache_folder(string? xdg, string expected)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.Equal(expected, StoreLocation.DefaultDirectory(Environment(xdg)));
    }

    [Fact]
    public void A_configured_folder_overrides_the_default()
    {
        SessionStore store = new(new StoreOptions("/tmp/elsewhere"), new RecordingLogger());
        Assert.Equal("/tmp/elsewhere", store.Directory);
        Assert.StartsWith("/tmp/elsewhere/", store.PathFor(StoreData.Key()), StringComparison.Ordinal);
    }

    [Fact]
    public void Workspace_spellings_of_one_folder_give_one_key()
    {
        string root = Path.Combine(Path.GetTempPath(), "ws");
        Assert.Equal(SessionKey.NormalizeWorkspace(root), SessionKey.NormalizeWorkspace(root + Path.DirectorySeparatorChar));
        Assert.Equal(SessionKey.NormalizeWorkspace(root), SessionKey.NormalizeWorkspace(Path.Combine(root, "sub", "..")));
        Assert.Equal(string.Empty, SessionKey.NormalizeWorkspace(null));
    }
}
