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
/// A response is passed on only when it answers a request this server sent and has not had its
/// answer yet: StreamJsonRpc ends the connection on any other (a stray id, a second answer), so
/// those are logged and dropped here.
/// </summary>
public sealed class LspMessageHandler : MessageHandlerBase, IJsonRpcMessageBufferManager
{
    private readonly LspFrameReader _frames;
    private readonly Stream _output;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _body = new();
    private readonly object _answerGate = new();
    private int _unanswered;
    private TaskCompletionSource _allAnswered = NewAnsweredSignal(done: true);
    private readonly HashSet<RequestId> _awaitingAnswer = [];

    public LspMessageHandler(Stream input, Stream output, IJsonRpcMessageFormatter formatter, ILogger logger)
        : base(formatter)
    {
        _frames = new LspFrameReader(input);
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
            LspFrameReader.Header header = await _frames.ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
            if (header.EndOfInput)
            {
                return null;
            }

            if (header.Error is string problem)
            {
                _logger.LogWarning("Bad message header: {Problem}; skipping to the next Content-Length header", problem);
                await SendErrorAsync(RequestId.Null, LspErrorCodes.ParseError, $"Bad message header: {problem}", cancellationToken).ConfigureAwait(false);
                if (!await _frames.SkipToNextHeaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                continue;
            }

            byte[]? body = await _frames.ReadBodyAsync(header.ContentLength, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                _logger.LogWarning("The input ended in the middle of a message ({Length} bytes announced)", header.ContentLength);
                return null;
            }

            JsonRpcMessage? message = await DeserializeAsync(body, cancellationToken).ConfigureAwait(false);
            if (message is not null && !IsAwaitedOrNotAResponse(message))
            {
                continue;
            }

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

    /// <summary>
    /// False (and logged) for a response to an id this server never sent or that was answered
    /// already; true for requests, notifications and the first answer to each of our requests.
    /// </summary>
    private bool IsAwaitedOrNotAResponse(JsonRpcMessage message)
    {
        if (message is not (JsonRpcResult or JsonRpcError) || message is not IJsonRpcMessageWithId { RequestId: var id })
        {
            return true;
        }

        lock (_awaitingAnswer)
        {
            if (!id.IsNull && _awaitingAnswer.Remove(id))
            {
                return true;
            }
        }

        _logger.LogWarning("Ignored a response to id {Id}: no request of this server is waiting for it", id.IsNull ? "null" : id.ToString());
        return false;
    }

    protected override async ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        if (content is JsonRpcRequest { IsResponseExpected: true } request)
        {
            lock (_awaitingAnswer)
            {
                _awaitingAnswer.Add(request.RequestId);
            }
        }

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
}
