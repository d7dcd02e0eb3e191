using Microsoft.Extensions.Logging;

namespace LspLlama.Store;

/// <summary>Keeping the folder in shape: eviction, removal of unusable and stale files, permissions.</summary>
public sealed partial class SessionStore
{
    /// <summary>Removes the least recently used sessions until the store fits its limit.</summary>
    public void Evict(string? keep = null)
    {
        try
        {
            DirectoryInfo directory = new(Directory);
            if (!directory.Exists)
            {
                return;
            }

            List<StoreFile> files = Snapshot(directory);
            long total = files.Sum(f => f.Length);
            foreach (StoreFile file in files
                .Where(f => f.Session && f.Path != keep)
                .OrderBy(f => f.LastWriteUtc))
            {
                if (total <= _options.MaxDiskBytes)
                {
                    break;
                }

                if (TryDelete(file.Path))
                {
                    total -= file.Length;
                    Logger.Evicted(file.Path, file.Length, file.LastWriteUtc, _options.MaxDiskMiB);
                }
            }
        }
        catch (Exception e)
        {
            // Eviction runs after a successful save or at start: it must never fail either.
            Logger.ReadFailed(Directory, $"eviction failed ({e.Message})", e);
        }
    }

    private readonly record struct StoreFile(string Path, long Length, DateTime LastWriteUtc, bool Session);

    /// <summary>
    /// Sizes and times of the session and temporary files. Another server may rename or remove one
    /// between the listing and the look at it (its save just finished): that file is skipped.
    /// </summary>
    private static List<StoreFile> Snapshot(DirectoryInfo directory)
    {
        List<StoreFile> files = [];
        foreach (FileInfo file in directory.EnumerateFiles("*" + SessionFileFormat.FileExtension + "*"))
        {
            try
            {
                files.Add(new StoreFile(file.FullName, file.Length, file.LastWriteTimeUtc, file.Extension == SessionFileFormat.FileExtension));
            }
            catch (FileNotFoundException)
            {
            }
        }

        return files;
    }

    /// <summary>
    /// Removes an unusable file, unless another server has meanwhile replaced it with a new one:
    /// <paramref name="identity"/> is the start of the file that was judged, and every write
    /// starts with a unique id.
    /// </summary>
    public void Reject(string path, byte[] identity, string reason, Exception? exception)
    {
        Logger.Rejected(path, reason, exception);
        try
        {
            using (FileStream current = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
            {
                byte[] now = new byte[identity.Length];
                if (current.ReadAtLeast(now, now.Length, throwOnEndOfStream: false) != now.Length || !now.AsSpan().SequenceEqual(identity))
                {
                    return;
                }
            }

            TryDelete(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Logger.RemoveFailed(path, e.Message);
        }
    }

    private void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
            return;
        }

        // Sessions hold the user's code (as tokens): readable by the user only.
        const UnixFileMode userOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        System.IO.Directory.CreateDirectory(Directory, userOnly);
        if (File.GetUnixFileMode(Directory) != userOnly)
        {
            File.SetUnixFileMode(Directory, userOnly);
        }
    }

    private void MarkUsed(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, _time.GetUtcNow().UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only eviction order suffers.
        }
    }

    private void RemoveStaleTemporaries()
    {
        DateTime cutoff = _time.GetUtcNow().UtcDateTime - StaleTemporaryAge;
        foreach (FileInfo file in new DirectoryInfo(Directory).EnumerateFiles("*" + SessionFileFormat.FileExtension + ".*" + SessionFileFormat.TemporaryExtension))
        {
            if (file.LastWriteTimeUtc < cutoff)
            {
                TryDelete(file.FullName);
            }
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Logger.RemoveFailed(path, e.Message);
            return false;
        }
    }
}
