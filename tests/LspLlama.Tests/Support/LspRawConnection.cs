using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server;
using Nerdbank.Streams;

namespace LspLlama.Tests.Support;

/// <summary>
/// An in-process server driven with raw bytes, for the tests that send what a typed client
/// cannot: broken frames, malformed JSON, wrong types, a message cut off by a disconnect.
/// </summary>
internal sealed class LspRawConnection : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private readonly Stream _stream;
    private readonly LspServer _server;

    public LspRawConnection()
    {
        (Stream serverSide, Stream clientSide) = FullDuplexStream.CreatePair();
        _stream = clientSide;
        _server = new LspServer(serverSide, serverSide, new LspServerOptions { Log = Log, LogToStreamAlways = true });
        Exited = _server.RunAsync();
    }

    public LspTestLog Log { get; } = new();

    public Task<int> Exited { get; }

    public LspServer Server => _server;

    /// <summary>Every window/logMessage seen while waiting for responses.</summary>
    public List<string> ClientLog { get; } = [];

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task InitializeAsync(object? capabilities = null) =>
        RequestAsync(LspMethods.Initialize, new { capabilities = capabilities ?? new { } }, id: 1000);

    /// <summary>Sends a request and returns its response, skipping (and keeping) notifications.</summary>
    public async Task<JsonElement> RequestAsync(string method, object? parameters, int id)
    {
        await SendAsync(LspFrames.Request(id, method, parameters));
        return await ReadResponseAsync(id);
    }

    public async Task<JsonElement> ReadResponseAsync(JsonElement? id)
    {
        while (true)
        {
            JsonElement message = await ReadAsync() ?? throw new InvalidDataException("the server closed the stream");
            if (message.TryGetProperty("method", out JsonElement method))
            {
                if (method.GetString() == LspMethods.LogMessage)
                {
                    ClientLog.Add(message.GetProperty("params").GetProperty("message").GetString()!);
                }

                continue;
            }

            JsonElement actual = message.GetProperty("id");
            bool matches = id is JsonElement expected
                ? actual.ToString() == expected.ToString() && actual.ValueKind == expected.ValueKind
                : actual.ValueKind == JsonValueKind.Null;
            if (matches)
            {
                return message;
            }
        }
    }

    /// <summary>Reads up to the next request the server sends with this method, skipping everything else.</summary>
    public async Task<JsonElement> ReadServerRequestAsync(string method)
    {
        while (true)
        {
            JsonElement message = await ReadAsync() ?? throw new InvalidDataException("the server closed the stream");
            if (message.TryGetProperty("method", out JsonElement name) && name.GetString() == method && message.TryGetProperty("id", out _))
            {
                return message;
            }
        }
    }

    public Task<JsonElement> ReadResponseAsync(int id) => ReadResponseAsync(JsonSerializer.SerializeToElement(id));

    /// <summary>The client goes away: the server sees the end of its input.</summary>
    public void Disconnect() => _stream.Dispose();

    public async Task<int> WaitForExitAsync() => await Exited.WaitAsync(s_timeout);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _stream.DisposeAsync();
    }

    private async Task<JsonElement?> ReadAsync()
    {
        using CancellationTokenSource timeout = new(s_timeout);
        return await LspFrames.ReadAsync(_stream, timeout.Token);
    }
}
