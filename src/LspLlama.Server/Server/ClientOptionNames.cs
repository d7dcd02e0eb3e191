namespace LspLlama.Server;

/// <summary>
/// How the user sets the model in the editor that started the server, for messages that tell
/// them to set it: each editor package names the server's <c>model.path</c> its own way.
/// </summary>
internal static class ClientOptionNames
{
    /// <summary>The editor's way to set the model file, from <c>clientInfo.name</c> (null: unknown).</summary>
    public static string ModelPath(string? clientName) => clientName?.ToUpperInvariant() switch
    {
        null => "the server setting model.path (or serve --model FILE)",
        var n when n.Contains("NEOVIM", StringComparison.Ordinal) || n == "NVIM" =>
            "settings = { model = { path = ... } } in require('lspllama').setup()",
        var n when n.Contains("EMACS", StringComparison.Ordinal) || n.Contains("EGLOT", StringComparison.Ordinal) =>
            "lspllama-model-path",
        var n when n.Contains("CODE", StringComparison.Ordinal) || n.Contains("VSCODIUM", StringComparison.Ordinal) =>
            "the setting lspllama.model.path",
        _ => "the server setting model.path (or serve --model FILE)",
    };
}
