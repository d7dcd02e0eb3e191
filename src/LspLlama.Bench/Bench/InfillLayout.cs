using System.Text.Json.Nodes;

namespace LspLlama.Bench;

/// <summary>
/// The request llama.vscode (and llama.vim) send to llama-server's <c>/infill</c>: the cursor's line
/// up to the cursor as <c>prompt</c>, 256 lines before it as <c>input_prefix</c>, the rest of the
/// line and 64 lines after as <c>input_suffix</c>, and other files as <c>input_extra</c> chunks of 64
/// lines. Their ring buffer picks chunks around edits and yanks and holds 16; here every other open
/// file goes in whole, least recently used first, as the buffer orders them, and the server keeps
/// what fits its context (the newest chunks). The server lays the FIM prompt out from these.
/// </summary>
public static class InfillLayout
{
    public const int PrefixLines = 256;

    public const int SuffixLines = 64;

    public const int ChunkLines = 64;

    /// <param name="text">The active document; <paramref name="offset"/> is the cursor in it.</param>
    /// <param name="others">The other open documents, least recently used first.</param>
    public static JsonObject Request(string uri, string text, int offset, IEnumerable<(string Uri, string Text)> others, int slot, int maxTokens)
    {
        int lineStart = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        int lineEnd = text.IndexOf('\n', offset);
        lineEnd = lineEnd < 0 ? text.Length : lineEnd;

        int prefixStart = lineStart;
        for (int i = 0; i < PrefixLines && prefixStart > 0; i++)
        {
            // prefixStart - 1 is the newline that ends the line before; its start follows the newline before that.
            prefixStart = prefixStart < 2 ? 0 : text.LastIndexOf('\n', prefixStart - 2) + 1;
        }

        int suffixEnd = lineEnd;
        for (int i = 0; i < SuffixLines && suffixEnd < text.Length; i++)
        {
            int next = text.IndexOf('\n', suffixEnd + 1);
            suffixEnd = next < 0 ? text.Length : next;
        }

        var extra = new JsonArray();
        foreach ((string otherUri, string otherText) in others)
        {
            foreach (string chunk in Chunks(otherText))
            {
                extra.Add(new JsonObject { ["filename"] = FileName(otherUri), ["text"] = chunk });
            }
        }

        return new JsonObject
        {
            ["id_slot"] = slot,
            ["input_prefix"] = text[prefixStart..lineStart],
            ["input_suffix"] = text[offset..suffixEnd] + "\n",
            ["input_extra"] = extra,
            ["prompt"] = text[lineStart..offset],
            ["n_predict"] = maxTokens,
            ["cache_prompt"] = true,
            ["temperature"] = 0,
            ["stream"] = false,
        };
    }

    /// <summary>64-line chunks, each ending with its newline.</summary>
    public static IEnumerable<string> Chunks(string text)
    {
        int start = 0;
        while (start < text.Length)
        {
            int end = start;
            for (int i = 0; i < ChunkLines && end < text.Length; i++)
            {
                int next = text.IndexOf('\n', end);
                end = next < 0 ? text.Length : next + 1;
            }

            yield return text[start..end];
            start = end;
        }
    }

    private static string FileName(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && parsed.IsFile ? parsed.LocalPath : uri;
}
