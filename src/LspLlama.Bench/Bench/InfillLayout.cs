using System.Text.Json.Nodes;

namespace LspLlama.Bench;

/// <summary>
/// The request llama.vscode (and llama.vim) send to llama-server's <c>/infill</c>: the cursor's line
/// up to the cursor as <c>prompt</c>, 256 lines before it as <c>input_prefix</c>, the rest of the
/// line and 64 lines after as <c>input_suffix</c>, and other files as <c>input_extra</c> chunks of 64
/// lines. Their ring buffer picks chunks around edits and yanks and holds 16; here every other open
/// file goes in, least recently used first, as the buffer orders them, and the newest chunks that
/// fit <c>extraBudget</c> tokens are kept (llama-server refuses a request larger than its context
/// rather than cutting it), so both layouts get a context of the same size. The server lays the FIM
/// prompt out from these.
/// </summary>
public static class InfillLayout
{
    public const int PrefixLines = 256;

    public const int SuffixLines = 64;

    public const int ChunkLines = 64;

    /// <summary>llama-server's default n_batch, which its infill prompt keeps free.</summary>
    private const int ServerBatch = 512;

    private const int ExtraMargin = 64;

    /// <param name="text">The active document; <paramref name="offset"/> is the cursor in it.</param>
    /// <param name="others">The other open documents, least recently used first.</param>
    /// <param name="countTokens">Tokens of a text, to keep the extra chunks within <paramref name="contextSize"/>.</param>
    public static JsonObject Request(
        string uri, string text, int offset, IEnumerable<(string Uri, string Text)> others, int slot, int maxTokens, Func<string, int> countTokens, int contextSize)
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

        string prefix = text[prefixStart..lineStart];
        string suffix = text[offset..suffixEnd] + "\n";
        string middle = text[lineStart..offset];

        // What llama-server adds around the pieces (FIM markers, file headers) and the room it keeps for generation.
        int budget = contextSize - ServerBatch - (2 * maxTokens) - countTokens(prefix + suffix + middle) - ExtraMargin;
        List<(string File, string Text)> chunks = [.. others.SelectMany(o => Chunks(o.Text).Select(c => (FileName(o.Uri), c)))];
        int keep = chunks.Count;
        for (int used = 0; keep > 0; keep--)
        {
            used += countTokens(chunks[keep - 1].Text) + 4;
            if (used > budget)
            {
                break;
            }
        }

        var extra = new JsonArray();
        foreach ((string file, string chunk) in chunks.Skip(keep))
        {
            extra.Add(new JsonObject { ["filename"] = file, ["text"] = chunk });
        }

        return new JsonObject
        {
            ["id_slot"] = slot,
            ["input_prefix"] = prefix,
            ["input_suffix"] = suffix,
            ["input_extra"] = extra,
            ["prompt"] = middle,
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
