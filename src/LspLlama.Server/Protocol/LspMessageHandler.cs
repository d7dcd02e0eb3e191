using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;
using StreamJsonRpc.Reflection;

namespace LspLlama.Protocol;

/// <summary>
/// LSP framing (<c>Content-Length</c> headers) that survives bad input. StreamJsonRpc's own
/// header handler drops the connection on a malformed message; this one answers with a JSON-RPC
/// error (id null) and reads on, resynchronising at the next <c>Content-Length</c> header when a
/// header block is unusable. The end of the input, even in the middle of a message, ends reading.
/// </summary>
public sealed class LspMessageHandler : MessageHandlerBase, IJsonRpcMessageBufferManager
{
    private const int MaxHeaderLine = 8 * 1024;
    private const int MaxContentLength = 1 << 30;
    private static readonly byte[] s_contentLength = "Content-Length:"u8.ToArray();

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _body = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _position;
    private int _length;
    private int _lastLineStart;
    private readonly object _answerGate = new();
    private int _unanswered;
    private TaskCompletionSource _allAnswered = NewAnsweredSignal(done: true);

    public LspMessageHandler(Stream input, Stream output, IJsonRpcMessageFormatter formatter, ILogger logger)
        : base(formatter)
    {
        _input = input;
        _output = output;
        _logger = logger;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    void IJsonRpcMessageBufferManager.DeserializationComplete(JsonRpcMessage message) =>
        (message as IJsonRpcMessageBufferManager)?.DeserializationComplete(message);

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            HeaderResult header = await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
            if (header.EndOfInput)
            {
                return null;
            }

            if (header.Error is string problem)
            {
                _logger.LogWarning("Bad message header: {Problem}; skipping to the next Content-Length header", problem);
                await SendErrorAsync(RequestId.Null, LspErrorCodes.ParseError, $"Bad message header: {problem}", cancellationToken).ConfigureAwait(false);
                if (!await SkipToNextHeaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                continue;
            }

            byte[]? body = await ReadBodyAsync(header.ContentLength, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                _logger.LogWarning("The input ended in the middle of a message ({Length} bytes announced)", header.ContentLength);
                return null;
            }

            JsonRpcMessage? message = await DeserializeAsync(body, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                if (message is JsonRpcRequest { IsResponseExpected: true })
                {
                    CountRequest(+1);
                }

                return message;
            }
        }
    }

    /// <summary>
    /// Completes once every request read so far has had its answer written. The server waits on
    /// this (briefly) before exiting, so that a client that sends <c>exit</c> without waiting for
    /// earlier answers still gets them.
    /// </summary>
    public Task AllAnsweredAsync()
    {
        lock (_answerGate)
        {
            return _allAnswered.Task;
        }
    }

    private static TaskCompletionSource NewAnsweredSignal(bool done)
    {
        TaskCompletionSource signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        if (done)
        {
            signal.SetResult();
        }

        return signal;
    }

    private void CountRequest(int delta)
    {
        lock (_answerGate)
        {
            _unanswered = Math.Max(0, _unanswered + delta);
            if (_unanswered == 0)
            {
                _allAnswered.TrySetResult();
            }
            else if (_allAnswered.Task.IsCompleted)
            {
                _allAnswered = NewAnsweredSignal(done: false);
            }
        }
    }

    protected override async ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        await WriteFrameAsync(content, cancellationToken).ConfigureAwait(false);
        if (content is IJsonRpcMessageWithId { RequestId.IsNull: false } and (JsonRpcResult or JsonRpcError))
        {
            CountRequest(-1);
        }
    }

    private ValueTask WriteFrameAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        _body.ResetWrittenCount();
        Formatter.Serialize(_body, content);
        byte[] header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {_body.WrittenCount}\r\n\r\n"));
        byte[] frame = new byte[header.Length + _body.WrittenCount];
        header.CopyTo(frame, 0);
        _body.WrittenSpan.CopyTo(frame.AsSpan(header.Length));

        // One write per frame, so that a reader never sees a header without its body.
        return _output.WriteAsync(frame, cancellationToken);
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => new(_output.FlushAsync(cancellationToken));

    // The streams belong to whoever created the server (stdio belongs to the process).
    protected override void DisposeReader()
    {
    }

    protected override void DisposeWriter()
    {
    }

    private async ValueTask<JsonRpcMessage?> DeserializeAsync(byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            return Formatter.Deserialize(new ReadOnlySequence<byte>(body));
        }
#pragma warning disable CA1031 // Whatever the formatter throws, the message is bad, not the server.
        catch (Exception e)
#pragma warning restore CA1031
        {
            (bool isJson, RequestId id) = Inspect(body);
            int code = isJson ? LspErrorCodes.InvalidRequest : LspErrorCodes.ParseError;
            string what = isJson ? "Not a JSON-RPC message" : "Malformed JSON";
            _logger.LogWarning("{What} ({Length} bytes): {Error}", what, body.Length, e.Message);
            await SendErrorAsync(id, code, $"{what}: {e.Message}", cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private static (bool IsJson, RequestId Id) Inspect(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out JsonElement id))
            {
                return (true, id.ValueKind switch
                {
                    JsonValueKind.Number when id.TryGetInt64(out long n) => new RequestId(n),
                    JsonValueKind.String => new RequestId(id.GetString()),
                    _ => RequestId.Null,
                });
            }

            return (true, RequestId.Null);
        }
        catch (JsonException)
        {
            return (false, RequestId.Null);
        }
    }

    private async ValueTask SendErrorAsync(RequestId id, int code, string message, CancellationToken cancellationToken)
    {
        JsonRpcError error = new()
        {
            RequestId = id,
            Error = new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)code, Message = message },
        };
        try
        {
            await WriteAsync(error, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            _logger.LogDebug("Could not report a bad message: {Error}", e.Message);
        }
    }

    private async ValueTask<HeaderResult> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        int? contentLength = null;
        string? error = null;
        bool sawHeader = false;
        while (true)
        {
            (bool ended, string? line) = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (ended)
            {
                return HeaderResult.End;
            }

            if (line is null)
            {
                return new HeaderResult(false, 0, "header line too long");
            }

            if (line.Length == 0)
            {
                if (!sawHeader)
                {
                    continue; // Blank lines between messages are harmless.
                }

                error ??= contentLength is null ? "no Content-Length header" : null;
                return new HeaderResult(false, contentLength ?? 0, error);
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon).Trim()))
            {
                // Not a header: maybe a body whose header was lost, with the next message's header
                // glued to its end. Look for that header from just after this line's start.
                _position = _lastLineStart + 1;
                return new HeaderResult(false, 0, $"not a header: '{Shorten(line)}'");
            }

            sawHeader = true;
            if (line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                string value = line[(colon + 1)..].Trim();
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 && n <= MaxContentLength)
                {
                    contentLength = n;
                }
                else
                {
                    error = $"bad Content-Length '{Shorten(value)}'";
                }
            }

            // Other headers (Content-Type) are allowed and ignored: LSP content is always UTF-8.
        }
    }

    /// <summary>An HTTP header name (RFC 9110 token): a JSON body never passes for one.</summary>
    private static bool IsToken(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>One header line without its terminator; (true, null) at the end of input, (false, null) when too long.</summary>
    private async ValueTask<(bool Ended, string? Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_position, _length - _position).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                ReadOnlySpan<byte> line = _buffer.AsSpan(_position, newline);
                _lastLineStart = _position;
                _position += newline + 1;
                if (!line.IsEmpty && line[^1] == '\r')
                {
                    line = line[..^1];
                }

                return (false, Encoding.ASCII.GetString(line));
            }

            if (_length - _position > MaxHeaderLine)
            {
                return (false, null);
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return (true, null);
            }
        }
    }

    /// <summary>Drops input up to the next <c>Content-Length:</c>; false when the input ends first.</summary>
    private async ValueTask<bool> SkipToNextHeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int found = IndexOfIgnoreAsciiCase(_buffer.AsSpan(_position, _length - _position), s_contentLength);
            if (found >= 0)
            {
                _position += found;
                return true;
            }

            // Keep a tail that could be the start of the pattern split across two reads.
            _position = Math.Max(_position, _length - (s_contentLength.Length - 1));
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    private static int IndexOfIgnoreAsciiCase(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(haystack.Slice(i, needle.Length), needle))
            {
                return i;
            }
        }

        return -1;
    }

    private async ValueTask<byte[]?> ReadBodyAsync(int length, CancellationToken cancellationToken)
    {
        byte[] body = new byte[length];
        int buffered = Math.Min(length, _length - _position);
        _buffer.AsSpan(_position, buffered).CopyTo(body);
        _position += buffered;
        try
        {
            await _input.ReadExactlyAsync(body.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            return null;
        }

        return body;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_position > 0)
        {
            _buffer.AsSpan(_position, _length - _position).CopyTo(_buffer);
            _length -= _position;
            _position = 0;
        }

        if (_length == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = await _input.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
        _length += read;
        return read > 0;
    }

    private readonly record struct HeaderResult(bool EndOfInput, int ContentLength, string? Error)
    {
        public static HeaderResult End => new(true, 0, null);
    }
}
