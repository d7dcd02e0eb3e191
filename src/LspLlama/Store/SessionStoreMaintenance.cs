using Microsoft.Extensions.Logging;

namespace LspLlama.Store;

/// <summary>Keeping the folder in shape: eviction, removal of unusable and stale files, permissions.</summary>
internal sealed partial class SessionStore
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

            List<FileInfo> files = [.. directory.EnumerateFiles("*" + SessionFileFormat.FileExtension + "*")];
            long total = files.Sum(f => f.Length);
            foreach (FileInfo file in files
                .Where(f => f.Extension == SessionFileFormat.FileExtension && f.FullName != keep)
                .OrderBy(f => f.LastWriteTimeUtc))
            {
                if (total <= _options.MaxDiskBytes)
                {
                    break;
                }

                if (TryDelete(file.FullName))
                {
                    total -= file.Length;
                    Logger.Evicted(file.FullName, file.Length, file.LastWriteTimeUtc, _options.MaxDiskMiB);
                }
            }
        }
        catch (Exception e)
        {
            // Eviction runs after a successful save or at start: it must never fail either.
            Logger.ReadFailed(Directory, $"eviction failed ({e.Message})", e);
        }
    }

    /// <summary>
    /// Removes an unusable file, unless another server has meanwhile replaced it with a new one:
    /// <paramref name="identity"/> is the start of the file that was judged, and every write
    /// starts with a unique id.
    /// </summary>
    internal void Reject(string path, byte[] identity, string reason, Exception? exception)
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
