namespace LspLlama.Core.Documents;

/// <summary>
/// The unit a client counts <c>character</c> offsets in. The server stores text as UTF-16 and
/// converts positions in <see cref="PositionMath"/>, the one place that knows these rules.
/// </summary>
public enum PositionEncoding
{
    /// <summary>UTF-16 code units: the LSP default, and the server's own unit.</summary>
    Utf16,

    /// <summary>UTF-8 bytes (Neovim and Emacs count this way natively).</summary>
    Utf8,

    /// <summary>Unicode code points.</summary>
    Utf32,
}
