using System.Text.Json;

namespace LspLlama.Server.Settings;

/// <summary>
/// Applies a settings object from the client (initializationOptions, didChangeConfiguration or
/// workspace/configuration) over the current settings. The object may be the settings themselves
/// or hold them under an <c>lspllama</c> key; keys that are present replace, absent keys keep.
/// </summary>
public static class SettingsBinder
{
    public const string Section = "lspllama";

    // One line per section.
    private static readonly ISettingsSection[] s_sections =
    [
        new LogSettingsSection(),
        new ModelSettingsSection(),
        new ContextSettingsSection(),
        new CheckpointSettingsSection(),
        new CompletionSettingsSection(),
        new StoreSettingsSection(),
        new EngineSettingsSection(),
    ];

    /// <summary>The top-level keys the binder reads, one per section.</summary>
    public static IEnumerable<string> SectionNames => s_sections.Select(s => s.Name);

    public static ServerSettings Apply(ServerSettings current, JsonElement? settings, SettingsProblems problems)
    {
        if (settings is not JsonElement root || root.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return current;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Warn($"settings must be a JSON object, not {root.ValueKind}; ignored");
            return current;
        }

        if (root.TryGetProperty(Section, out JsonElement nested))
        {
            if (nested.ValueKind != JsonValueKind.Object)
            {
                problems.Warn($"'{Section}' must be a JSON object, not {nested.ValueKind}; ignored");
                return current;
            }

            root = nested;
        }

        foreach (JsonProperty property in root.EnumerateObject())
        {
            ISettingsSection? section = Array.Find(s_sections, s => s.Name.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
            if (section is null)
            {
                continue; // Unknown keys belong to newer versions or to other tools.
            }

            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                problems.Warn($"'{property.Name}' must be a JSON object, not {property.Value.ValueKind}; kept the previous values");
                continue;
            }

            current = section.Bind(current, property.Value, problems);
            foreach (JsonProperty key in property.Value.EnumerateObject())
            {
                // Retired keys (such as context.lowWaterFraction, now a constant) land here too.
                if (!problems.AskedKeys.Contains($"{section.Name}.{key.Name}"))
                {
                    problems.Warn($"{section.Name}.{key.Name}: not a setting this server reads; ignored");
                }
            }
        }

        return current;
    }
}
