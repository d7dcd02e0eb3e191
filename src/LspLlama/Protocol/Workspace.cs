using System.Text.Json;

namespace LspLlama.Protocol;

internal sealed record DidChangeConfigurationParams(JsonElement? Settings = null);

internal sealed record ConfigurationParams(IReadOnlyList<ConfigurationItem> Items);

internal sealed record ConfigurationItem(string? Section = null, string? ScopeUri = null);

internal sealed record LogMessageParams(int Type, string Message);

/// <summary>LSP <c>MessageType</c>.</summary>
internal static class MessageType
{
    public const int Error = 1;
    public const int Warning = 2;
    public const int Info = 3;
    public const int Log = 4;
    public const int Debug = 5;
}
