using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Settings;

/// <summary><c>{"log": {"level": "debug"}}</c>; levels as in Microsoft.Extensions.Logging, any case.</summary>
public sealed class LogSettingsSection : ISettingsSection
{
    public string Name => "log";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        LogSettings log = current.Log;
        if (new SettingReader(Name, section, problems).TryGet("level", out JsonElement level))
        {
            if (TryParseLevel(level, out LogLevel parsed))
            {
                log = log with { Level = parsed };
            }
            else
            {
                problems.Warn($"log.level: '{level}' is not one of trace, debug, information, warning, error, critical, none; kept {log.Level}");
            }
        }

        return current with { Log = log };
    }

    public static bool TryParseLevel(JsonElement value, out LogLevel level)
    {
        level = default;
        return value.ValueKind == JsonValueKind.String && TryParseLevel(value.GetString(), out level);
    }

    public static bool TryParseLevel(string? value, out LogLevel level)
    {
        level = default;
        string? name = value?.Trim().ToUpperInvariant() switch
        {
            "INFO" => nameof(LogLevel.Information),
            "WARN" => nameof(LogLevel.Warning),
            var other => other,
        };
        return name is not null
            && !int.TryParse(name, out _)
            && Enum.TryParse(name, ignoreCase: true, out level)
            && Enum.IsDefined(level);
    }
}
