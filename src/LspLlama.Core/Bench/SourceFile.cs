namespace LspLlama.Core.Bench;

/// <summary>A workspace file a trace may open: its URI, LSP language id and text.</summary>
public sealed record SourceFile(string Uri, string LanguageId, string Text);
