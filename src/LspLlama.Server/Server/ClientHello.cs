using LspLlama.Core.Documents;
using LspLlama.Protocol;

namespace LspLlama.Server;

/// <summary>What the client said in <c>initialize</c>, as the server uses it; the defaults until then.</summary>
/// <param name="Capabilities">What the client can do (workspace/configuration, work-done progress).</param>
/// <param name="Name"><c>clientInfo.name</c> (messages name the editor's own option); null when it sent none.</param>
/// <param name="PositionEncoding">The negotiated position encoding; UTF-16 until <c>initialize</c>.</param>
/// <param name="WorkspaceRoot">The workspace folder as a local path; null when the client named none.</param>
public sealed record ClientHello(ClientCapabilities Capabilities, string? Name, PositionEncoding PositionEncoding, string? WorkspaceRoot)
{
    public static ClientHello BeforeInitialize { get; } = new(new ClientCapabilities(), null, PositionEncoding.Utf16, null);
}
