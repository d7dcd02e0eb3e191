namespace LspLlama.Store;

/// <summary>Settings of the session store.</summary>
/// <param name="Directory">The folder the store owns for its files (made user-only on Unix); null for the platform's cache folder (<see cref="StoreLocation"/>).</param>
/// <param name="MaxDiskMiB">Upper bound on the disk the store uses; the least recently used sessions are evicted first.</param>
public sealed record StoreOptions(string? Directory = null, long MaxDiskMiB = StoreOptions.DefaultMaxDiskMiB)
{
    public const long DefaultMaxDiskMiB = 4096;

    public long MaxDiskBytes => MaxDiskMiB <= 0 ? 0 : checked(MaxDiskMiB * 1024 * 1024);
}
