using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LspLlama.Remote;

/// <summary>
/// An OpenAI-compatible server (vLLM, SGLang) as a completion engine: <c>GET /v1/models</c> at connect
/// for the model name, then <c>POST /v1/completions</c> with the prompt as token ids, streamed, with
/// usage. These servers have no slots: their prefix cache is shared and works on a block grid, so the
/// slot option is ignored. There is no common tokenize endpoint, so no vocabulary check here.
/// </summary>
public sealed class OpenAiCompletionsClient : IRemoteCompletionBackend
{
    private readonly RemoteEngineOptions _options;
    private readonly ILogger _log;
    private readonly HttpClient _http;
    private volatile RemoteServerInfo? _info;

    public OpenAiCompletionsClient(RemoteEngineOptions options, ILogger? log = null, HttpMessageHandler? handler = null)
    {
        _options = options;
        _log = log ?? NullLogger.Instance;
        _http = RemoteHttp.Create(options, handler);
    }

    public RemoteServerInfo? Info => _info;

    public async Task<RemoteServerInfo> ConnectAsync(CancellationToken cancellation)
    {
        if (_info is { } connected)
        {
            return connected;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.RequestTimeout);
        string text = await Guard("v1/models", cancellation, async () =>
        {
            using HttpResponseMessage response = await _http.GetAsync("v1/models", timeout.Token).ConfigureAwait(false);
            await ThrowOnErrorAsync(response, "v1/models", timeout.Token).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        JsonNode? model;
        try
        {
            model = JsonNode.Parse(text)?["data"]?.AsArray().FirstOrDefault();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new RemoteEngineException($"{_options.Url} answered /v1/models with something that is not a model list", e);
        }

        string id = model?["id"]?.GetValue<string>() ?? throw new RemoteEngineException($"{_options.Url} serves no model (/v1/models is empty)");
        // vLLM says max_model_len, llama-server meta.n_ctx; SGLang neither (0: unknown).
        int context = model["max_model_len"]?.GetValue<int>() ?? model["meta"]?["n_ctx"]?.GetValue<int>() ?? 0;
        var info = new RemoteServerInfo(_options.Url.ToString(), context, SlotCount: 0, Build: model["owned_by"]?.GetValue<string>() ?? "openai-compatible", ModelPath: id);
        _log.LogInformation("remote engine {Url}: OpenAI-compatible, model {Model}, context {Context}", info.Url, id, context);
        _info = info;
        return info;
    }

    public async IAsyncEnumerable<RemoteChunk> CompleteAsync(
        IReadOnlyList<int> prompt, RemoteCompletionOptions options, [EnumeratorCancellation] CancellationToken cancellation)
    {
        RemoteServerInfo info = await ConnectAsync(cancellation).ConfigureAwait(false);
        var ids = new JsonArray();
        foreach (int token in prompt)
        {
            ids.Add(token);
        }

        var body = new JsonObject
        {
            ["model"] = info.ModelPath,
            ["prompt"] = ids,
            ["max_tokens"] = options.MaxTokens,
            ["temperature"] = options.Temperature,
            ["top_p"] = options.TopP,
            ["top_k"] = options.TopK,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["return_token_ids"] = true,
        };
        if (options.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.StreamIdleTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        using HttpResponseMessage response = await Guard("v1/completions", cancellation,
            () => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)).ConfigureAwait(false);
        await ThrowOnErrorAsync(response, "v1/completions", timeout.Token).ConfigureAwait(false);
        Stream stream = await Guard("v1/completions", cancellation, () => response.Content.ReadAsStreamAsync(timeout.Token)).ConfigureAwait(false);
        await using IAsyncEnumerator<string> events = ServerSentEvents.ReadDataAsync(stream, timeout.Token).GetAsyncEnumerator(timeout.Token);
        string? finish = null;
        while (true)
        {
            string? payload = await Guard("v1/completions", cancellation,
                async () => await events.MoveNextAsync().ConfigureAwait(false) ? events.Current : null).ConfigureAwait(false);
            if (payload is null)
            {
                // [DONE] without usage (a server that ignores include_usage): the end, with no figures to report.
                if (finish is null)
                {
                    _info = null;
                    throw new RemoteEngineException($"{_options.Url} closed the completion stream before its end");
                }

                yield return new RemoteChunk([], "", new RemoteFigures(0, 0, 0, 0, 0, finish));
                yield break;
            }

            timeout.CancelAfter(_options.StreamIdleTimeout);
            (RemoteChunk chunk, finish) = OpenAiCompletionStream.ParseEvent(payload, finish);
            yield return chunk;
            if (chunk.Final is not null)
            {
                yield break;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task ThrowOnErrorAsync(HttpResponseMessage response, string path, CancellationToken cancellation)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string detail = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
        throw response.StatusCode == HttpStatusCode.Unauthorized
            ? new RemoteEngineException($"{_options.Url} refused the request: wrong or missing engine.apiKey ({detail})") { Refused = true }
            : new RemoteEngineException($"{_options.Url} answered /{path} with {(int)response.StatusCode} {response.StatusCode}: {detail}");
    }

    private async Task<T> Guard<T>(string path, CancellationToken cancellation, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            _info = null;
            throw new RemoteEngineException($"{_options.Url} did not answer /{path} in time", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            _info = null;
            throw new RemoteEngineException($"{_options.Url} is unreachable or went away during /{path}: {e.Message}", e);
        }
    }
}
