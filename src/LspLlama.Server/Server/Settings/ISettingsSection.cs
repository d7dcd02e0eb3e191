using System.Text.Json;

namespace LspLlama.Server.Settings;

/// <summary>
/// Binds one top-level key of the settings object, reading its keys through <see cref="SettingReader"/>.
/// Keys the section does not read are ignored with a warning; a value it cannot use adds a warning
/// and keeps the previous value, so one typo never resets the rest of the configuration.
/// </summary>
public interface ISettingsSection
{
    /// <summary>The key under the settings object, such as <c>log</c>.</summary>
    string Name { get; }

    ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems);
}

/// <summary>What was wrong in a settings object, for the log.</summary>
public sealed class SettingsProblems
{
    private readonly List<string> _warnings = [];
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Every <c>section.key</c> a binder asked for, present or not.</summary>
    public IReadOnlySet<string> AskedKeys => _asked;

    public void Warn(string message) => _warnings.Add(message);

    public void Asked(string section, string key) => _asked.Add($"{section}.{key}");
}
