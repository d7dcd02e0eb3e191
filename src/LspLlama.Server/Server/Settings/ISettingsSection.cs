using System.Text.Json;

namespace LspLlama.Server.Settings;

/// <summary>
/// Binds one top-level key of the settings object. Keys the section does not know are ignored;
/// a value it cannot use adds a warning and keeps the previous value, so one typo never resets
/// the rest of the configuration.
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

    public IReadOnlyList<string> Warnings => _warnings;

    public void Warn(string message) => _warnings.Add(message);
}
