using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Settings;

/// <summary>The current settings, and an event for the parts that must react when they change.</summary>
public sealed class SettingsStore(ServerSettings initial, ILogger logger)
{
    private readonly object _gate = new();
    private ServerSettings _current = initial;

    /// <summary>Raised with the new settings after every change, in the order the changes arrived.</summary>
    public event Action<ServerSettings>? Changed;

    public ServerSettings Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Applies a settings object from <paramref name="source"/>; bad values are logged and skipped.</summary>
    public void Apply(JsonElement? settings, string source)
    {
        SettingsProblems problems = new();
        lock (_gate)
        {
            ServerSettings updated = SettingsBinder.Apply(_current, settings, problems);
            bool changed = updated != _current;
            _current = updated;

            // Logged before Changed runs: a new log level must not hide the news of itself.
            foreach (string warning in problems.Warnings)
            {
                logger.LogWarning("Settings from {Source}: {Problem}", source, warning);
            }

            if (changed)
            {
                logger.LogInformation("Settings from {Source} applied: {Settings}", source, updated);
                Changed?.Invoke(updated);
            }
        }
    }
}
