using System.Globalization;
using System.Text;
using System.Text.Json;
using LspLlama.Protocol;

namespace LspLlama.Tests.Support;

/// <summary>
/// Strict LSP framing for tests that speak raw bytes: anything on the wire that is not a
/// <c>Content-Length</c> frame with a JSON body fails the test.
/// </summary>
internal static class LspFrames
{
    private static readonly JsonSerializerOptions s_json = LspJson.CreateOptions();

    public static byte[] Frame(string json)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        return [.. header, .. body];
    }

    public static byte[] Request(int id, string method, object? parameters) =>
        Frame(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters }, s_json));

    public static byte[] Notification(string method, object? parameters) =>
        Frame(JsonSerializer.Serialize(new { jsonrpc = "2.0", method, @params = parameters }, s_json));

    /// <summary>Writes one frame and flushes, as a client on a pipe must.</summary>
    public static async Task SendAsync(Stream input, byte[] frame)
    {
        await input.WriteAsync(frame);
        await input.FlushAsync();
    }

    /// <summary>Reads frames (strictly: anything else fails) until one that <paramref name="wanted"/> accepts.</summary>
    public static async Task<JsonElement> ReadUntilAsync(Stream output, Func<JsonElement, bool> wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            JsonElement message = await ReadAsync(output, cancellationToken) ?? throw new InvalidDataException("stdout closed");
            if (wanted(message))
            {
                return message;
            }
        }
    }

    /// <summary>True for the response to request <paramref name="id"/>.</summary>
    public static bool IsResponse(JsonElement message, int id) =>
        message.TryGetProperty("id", out JsonElement got) && got.ValueKind == JsonValueKind.Number && got.GetInt32() == id;

    /// <summary>Reads one frame; null at a clean end of stream.</summary>
    public static async Task<JsonElement?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        int? length = null;
        while (true)
        {
            string? line = await ReadHeaderLineAsync(stream, cancellationToken);
            if (line is null)
            {
                if (length is null)
                {
                    return null;
                }

                throw new InvalidDataException("stream ended inside a header");
            }

            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"not a header line: '{line}'");
            }

            if (line[..colon].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        if (length is null)
        {
            throw new InvalidDataException("frame without Content-Length");
        }

        byte[] body = new byte[length.Value];
        await stream.ReadExactlyAsync(body, cancellationToken);
        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static async Task<string?> ReadHeaderLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        List<byte> bytes = [];
        byte[] one = new byte[1];
        while (true)
        {
            int read = await stream.ReadAsync(one, cancellationToken);
            if (read == 0)
            {
                return bytes.Count == 0 ? null : throw new InvalidDataException("stream ended inside a header line");
            }

            if (one[0] == '\n')
            {
                if (bytes.Count == 0 || bytes[^1] != '\r')
                {
                    throw new InvalidDataException("header line not ended by CRLF");
                }

                return Encoding.ASCII.GetString([.. bytes[..^1]]);
            }

            bytes.Add(one[0]);
            if (bytes.Count > 1000)
            {
                throw new InvalidDataException("header line too long: stdout carries something that is not a frame");
            }
        }
    }
}
