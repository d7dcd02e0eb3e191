using System.Text.Json;

namespace LspLlama.Protocol;

public sealed record DidChangeConfigurationParams(JsonElement? Settings = null);

public sealed record ConfigurationParams(IReadOnlyList<ConfigurationItem> Items);

public sealed record ConfigurationItem(string? Section = null, string? ScopeUri = null);

public sealed record LogMessageParams(int Type, string Message);

/// <summary>LSP <c>MessageType</c>.</summary>
public static class MessageType
{
    public const int Error = 1;
    public const int Warning = 2;
    public const int Info = 3;
    public const int Log = 4;
    public const int Debug = 5;
}
