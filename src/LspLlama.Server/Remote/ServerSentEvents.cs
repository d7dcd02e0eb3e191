using System.Runtime.CompilerServices;

namespace LspLlama.Remote;

/// <summary>
/// Reads the <c>data:</c> payloads of a server-sent event stream (what llama-server and OpenAI-style
/// servers stream), one payload per event. <c>[DONE]</c> ends the stream.
/// </summary>
public static class ServerSentEvents
{
    public static async IAsyncEnumerable<string> ReadDataAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var reader = new StreamReader(stream);
        var data = new System.Text.StringBuilder();
        bool isError = false;
        while (await reader.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    string payload = isError ? "{\"error\":" + data + "}" : data.ToString();
                    data.Clear();
                    isError = false;
                    if (payload == "[DONE]")
                    {
                        yield break;
                    }

                    yield return payload;
                }

                continue;
            }

            // "error: {...}" is how llama-server reports a failure inside a stream: it comes back as {"error": ...}.
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line[..colon];
            if (field is "data" or "error")
            {
                string value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                isError |= field == "error";
                if (data.Length > 0)
                {
                    data.Append('\n');
                }

                data.Append(value);
            }
        }

        // An event without its closing blank line was cut off: dropped, as the SSE rules say.
    }
}
