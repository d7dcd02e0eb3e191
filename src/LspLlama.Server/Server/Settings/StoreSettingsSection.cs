using System.Text.Json;
using LspLlama.Store;

namespace LspLlama.Server.Settings;

/// <summary>The <c>store</c> section: whether and where sessions are kept across restarts.</summary>
/// <param name="Enabled">Save the model's memory on shutdown and when idle, and load it on the next start.</param>
/// <param name="Directory">The folder for session files; null for the user's cache folder.</param>
/// <param name="MaxDiskMiB">Disk the store may use; the least recently used sessions go first.</param>
public sealed record StoreSection(bool Enabled = true, string? Directory = null, long MaxDiskMiB = StoreOptions.DefaultMaxDiskMiB)
{
    public StoreOptions Options => new(Directory, MaxDiskMiB);
}

/// <summary><c>{"store": {"enabled": true, "directory": null, "maxDiskMiB": 4096}}</c>.</summary>
public sealed class StoreSettingsSection : ISettingsSection
{
    // A petabyte: beyond it the number is certainly a typo.
    private const long MaxDiskMiBLimit = 1L << 30;

    public string Name => "store";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        StoreSection store = current.Store;
        var reader = new SettingReader(Name, section, problems);
        store = store with { Enabled = reader.Bool("enabled", store.Enabled), Directory = HomePath.Expand(reader.String("directory", store.Directory)) };
        if (reader.TryGet("maxDiskMiB", out JsonElement max))
        {
            if (max.ValueKind == JsonValueKind.Number && max.TryGetInt64(out long mib) && mib >= 0 && mib <= MaxDiskMiBLimit)
            {
                store = store with { MaxDiskMiB = mib };
            }
            else
            {
                problems.Warn($"store.maxDiskMiB: '{max}' is not a whole number in [0, {MaxDiskMiBLimit}]; kept {store.MaxDiskMiB}");
            }
        }

        return current with { Store = store };
    }
}
