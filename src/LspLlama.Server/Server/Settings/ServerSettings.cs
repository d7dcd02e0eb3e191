using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Settings;

/// <summary>
/// Every setting the server reads, one record per section. To add a section: add a record and a
/// property here, write an <see cref="ISettingsSection"/> for it, and list it in
/// <see cref="SettingsBinder"/>. Sections are replaced as a whole with <c>with</c>, never mutated.
/// </summary>
public sealed record ServerSettings
{
    public static ServerSettings Default { get; } = new();

    public LogSettings Log { get; init; } = new();

    public ModelSettings Model { get; init; } = new();

    public ContextSection Context { get; init; } = new();

    public CheckpointSection Checkpoints { get; init; } = new();

    public CompletionSection Completion { get; init; } = new();

    public StoreSection Store { get; init; } = new();

    public EngineSection Engine { get; init; } = new();
}

/// <summary>The <c>log</c> section.</summary>
/// <param name="Level">The least severe level written to stderr and to the client.</param>
public sealed record LogSettings(LogLevel Level = LogLevel.Information);
