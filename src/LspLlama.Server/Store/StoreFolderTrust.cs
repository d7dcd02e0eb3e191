using LspLlama.Native;

namespace LspLlama.Store;

/// <summary>
/// Whether the store may use a folder: it must belong to this user and not be writable by the
/// group or others, or anyone who can write there could plant a session (its documents are read
/// and its tokens become the model's memory). A folder its owner may not write to either (0500) is
/// one the user closed: root would write there anyway, so the mode is read rather than the write
/// left to fail. A folder that does not exist yet is fine: the store creates it, 0700. The stat
/// follows a symbolic link, so a link to the user's own folder works.
/// </summary>
public sealed class StoreFolderTrust(Func<string, PathStat?> stat, uint? user)
{
    public static StoreFolderTrust System { get; } = new(path => PosixStat.Of(path), PosixStat.EffectiveUser);

    /// <summary>Why <paramref name="folder"/> must not be used; null when it may.</summary>
    public string? Problem(string folder)
    {
        if (user is not { } me || stat(folder) is not { } found)
        {
            return null; // Off Linux, or not there yet.
        }

        if (!found.IsDirectory)
        {
            return "it is not a folder";
        }

        if (found.Owner != me)
        {
            return $"it belongs to user {found.Owner}, not to this user ({me})";
        }

        string mode = Convert.ToString(found.Permissions, 8);
        return found.WritableByOthers ? $"others may write to it (mode {mode})"
            : !found.WritableByOwner ? $"its owner may not write to it (mode {mode})"
            : null;
    }
}
