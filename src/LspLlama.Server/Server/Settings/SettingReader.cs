using System.Text.Json;

namespace LspLlama.Server.Settings;

/// <summary>
/// Reads typed values from one settings section. A present value of the wrong type or out of range
/// adds a warning naming the key and keeps the current value, so one typo never resets the rest.
/// </summary>
public readonly struct SettingReader(string sectionName, JsonElement section, SettingsProblems problems)
{
    /// <summary>
    /// The value of <paramref name="key"/>, if present. Every read goes through here, so the binder
    /// knows which keys the section reads and warns about the others.
    /// </summary>
    public bool TryGet(string key, out JsonElement value)
    {
        problems.Asked(sectionName, key);
        return section.TryGetProperty(key, out value);
    }

    public int Int(string key, int current, int min, int max = int.MaxValue)
    {
        if (!TryGet(key, out JsonElement value))
        {
            return current;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= min && n <= max)
        {
            return n;
        }

        problems.Warn($"{sectionName}.{key}: '{value}' is not a whole number in [{min}, {max}]; kept {current}");
        return current;
    }

    /// <summary>
    /// A whole number for which null, or the <paramref name="unset"/> placeholder an editor declares
    /// as "let the server choose" (VS Code's settings need a default), means the server's own
    /// <paramref name="fallback"/>, from whichever source the settings came.
    /// </summary>
    public int IntOrDefault(string key, int current, int fallback, int unset, int min, int max = int.MaxValue)
    {
        if (TryGet(key, out JsonElement value)
            && (value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n == unset)))
        {
            return fallback;
        }

        return Int(key, current, min, max);
    }

    public bool Bool(string key, bool current)
    {
        if (!TryGet(key, out JsonElement value))
        {
            return current;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        problems.Warn($"{sectionName}.{key}: '{value}' is not true or false; kept {(current ? "true" : "false")}");
        return current;
    }

    public double Double(string key, double current, double min, double max)
    {
        if (!TryGet(key, out JsonElement value))
        {
            return current;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && d >= min && d <= max)
        {
            return d;
        }

        problems.Warn($"{sectionName}.{key}: '{value}' is not a number in [{min}, {max}]; kept {current}");
        return current;
    }

    /// <summary>A string, or null when the client sends null or an empty string (meaning: not set).</summary>
    public string? String(string key, string? current)
    {
        if (!TryGet(key, out JsonElement value))
        {
            return current;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                string? s = value.GetString();
                return string.IsNullOrWhiteSpace(s) ? null : s;
            default:
                problems.Warn($"{sectionName}.{key}: '{value}' is not a string; kept {current ?? "null"}");
                return current;
        }
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive, returned as spelled there); null or empty means <paramref name="unset"/>.</summary>
    public string Choice(string key, string current, IReadOnlyList<string> choices, string unset)
    {
        if (!TryGet(key, out JsonElement value))
        {
            return current;
        }

        string? text = value.ValueKind switch
        {
            JsonValueKind.Null => unset,
            JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? unset : value.GetString(),
            _ => null,
        };
        string? match = text is null ? null : choices.FirstOrDefault(c => string.Equals(c, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match;
        }

        problems.Warn($"{sectionName}.{key}: '{value}' is not one of {string.Join(", ", choices)}; kept {current}");
        return current;
    }

    public T Enum<T>(string key, T current)
        where T : struct, System.Enum
    {
        if (!TryGet(key, out JsonElement value))
        {
            return current;
        }

        string? text = value.ValueKind == JsonValueKind.String ? value.GetString()?.Replace("-", string.Empty, StringComparison.Ordinal) : null;
        if (text is not null && !int.TryParse(text, out _) && System.Enum.TryParse(text, ignoreCase: true, out T parsed))
        {
            return parsed;
        }

        problems.Warn($"{sectionName}.{key}: '{value}' is not one of {string.Join(", ", System.Enum.GetNames<T>()).ToLowerInvariant()}; kept {current}");
        return current;
    }
}
