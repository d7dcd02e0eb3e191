using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LspLlama.Core.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LspLlama.Remote;

/// <summary>
/// llama-server as a completion engine: <c>/health</c> and <c>/props</c> at connect, the vocabulary
/// checked against <c>/tokenize</c>, then <c>POST /completion</c> with the prompt as token ids,
/// <c>cache_prompt</c>, the caller's slot, streamed. Closing the stream early closes the request, and
/// llama-server stops the task when its connection closes. Any transport failure marks the client
/// disconnected, so the next call connects again (a restarted server may run another model).
/// Safe for concurrent completions on different slots.
/// </summary>
public sealed class LlamaServerClient : IRemoteCompletionBackend
{
    private static readonly TimeSpan s_healthPoll = TimeSpan.FromMilliseconds(250);

    private readonly RemoteEngineOptions _options;
    private readonly ITokenizer? _tokenizer;
    private readonly ILogger _log;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private volatile RemoteServerInfo? _info;

    /// <param name="tokenizer">The local vocabulary to check the server's against; null skips the check.</param>
    /// <param name="handler">The HTTP stack; tests pass one that replays recorded responses.</param>
    public LlamaServerClient(RemoteEngineOptions options, ITokenizer? tokenizer, ILogger? log = null, HttpMessageHandler? handler = null)
    {
        _options = options;
        _tokenizer = tokenizer;
        _log = log ?? NullLogger.Instance;
        _http = RemoteHttp.Create(options, handler);
    }

    /// <summary>What the server said at the last connect; null while disconnected.</summary>
    public RemoteServerInfo? Info => _info;

    public async Task<RemoteServerInfo> ConnectAsync(CancellationToken cancellation)
    {
        if (_info is { } connected)
        {
            return connected;
        }

        await _connectLock.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (_info is { } raced)
            {
                return raced;
            }

            await WaitUntilHealthyAsync(cancellation).ConfigureAwait(false);
            JsonNode props = await GetJsonAsync("props", cancellation).ConfigureAwait(false);
            var info = new RemoteServerInfo(
                _options.Url.ToString(),
                ContextSize: props["default_generation_settings"]?["n_ctx"]?.GetValue<int>() ?? 0,
                SlotCount: props["total_slots"]?.GetValue<int>() ?? 1,
                Build: props["build_info"]?.GetValue<string>() ?? "unknown",
                ModelPath: props["model_path"]?.GetValue<string>() ?? "");
            if (_tokenizer is not null)
            {
                await VocabularyCheck.CheckAsync(_tokenizer, TokenizeAsync, cancellation).ConfigureAwait(false);
            }

            _log.LogInformation("remote engine {Url}: llama-server {Build}, {Slots} slots of {Context} tokens, model {Model}",
                info.Url, info.Build, info.SlotCount, info.ContextSize, info.ModelPath);
            _info = info;
            return info;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>The server's tokens for <paramref name="text"/> (no BOS, specials as text).</summary>
    public async Task<int[]> TokenizeAsync(string text, CancellationToken cancellation)
    {
        var body = new JsonObject { ["content"] = text, ["add_special"] = false, ["parse_special"] = false };
        JsonNode answer = await PostJsonAsync("tokenize", body, cancellation).ConfigureAwait(false);
        return answer["tokens"]?.AsArray().Select(t => t!.GetValue<int>()).ToArray()
            ?? throw new RemoteEngineException($"{_options.Url} answered /tokenize without tokens");
    }

    public async IAsyncEnumerable<RemoteChunk> CompleteAsync(
        IReadOnlyList<int> prompt, RemoteCompletionOptions options, [EnumeratorCancellation] CancellationToken cancellation)
    {
        RemoteServerInfo info = await ConnectAsync(cancellation).ConfigureAwait(false);
        if (options.Slot is { } slot && (slot < 0 || slot >= info.SlotCount))
        {
            throw new RemoteEngineException($"slot {slot} does not exist: {info.Url} has {info.SlotCount} slots (--parallel)");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.StreamIdleTimeout);
        using HttpResponseMessage response = await SendAsync(
            () => JsonRequest(HttpMethod.Post, "completion", CompletionBody(prompt, options)),
            HttpCompletionOption.ResponseHeadersRead, timeout, cancellation).ConfigureAwait(false);
        Stream stream = await Guard("completion", cancellation, () => response.Content.ReadAsStreamAsync(timeout.Token)).ConfigureAwait(false);
        await using IAsyncEnumerator<string> events = ServerSentEvents.ReadDataAsync(stream, timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (true)
        {
            string? payload = await Guard("completion", cancellation,
                async () => await events.MoveNextAsync().ConfigureAwait(false) ? events.Current : null).ConfigureAwait(false);
            if (payload is null)
            {
                MarkDisconnected();
                throw new RemoteEngineException($"{_options.Url} closed the completion stream before its end");
            }

            timeout.CancelAfter(_options.StreamIdleTimeout);
            RemoteChunk chunk = LlamaServerStream.ParseChunk(payload);
            yield return chunk;
            if (chunk.Final is not null)
            {
                yield break;
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _connectLock.Dispose();
    }

    private static JsonObject CompletionBody(IReadOnlyList<int> prompt, RemoteCompletionOptions options)
    {
        var ids = new JsonArray();
        foreach (int token in prompt)
        {
            ids.Add(token);
        }

        var body = new JsonObject
        {
            ["prompt"] = ids,
            ["n_predict"] = options.MaxTokens,
            ["cache_prompt"] = true,
            ["stream"] = true,
            ["return_tokens"] = true,
            ["timings_per_token"] = true,
            ["id_slot"] = options.Slot ?? -1,
            ["temperature"] = options.Temperature,
            ["top_k"] = options.TopK,
            ["top_p"] = options.TopP,
        };
        if (options.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        return body;
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellation)
    {
        DateTime giveUp = DateTime.UtcNow + _options.LoadingWait;
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(_options.RequestTimeout);
            using HttpResponseMessage response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Get, "health"), HttpCompletionOption.ResponseContentRead, timeout, cancellation, allow503: true)
                .ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return;
            }

            if (DateTime.UtcNow >= giveUp)
            {
                throw new RemoteEngineException($"{_options.Url} is still loading its model after {_options.LoadingWait.TotalSeconds:0} s");
            }

            await Task.Delay(s_healthPoll, cancellation).ConfigureAwait(false);
        }
    }

    private Task<JsonNode> GetJsonAsync(string path, CancellationToken cancellation) =>
        ReadJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, path), path, cancellation);

    private Task<JsonNode> PostJsonAsync(string path, JsonObject body, CancellationToken cancellation) =>
        ReadJsonAsync(() => JsonRequest(HttpMethod.Post, path, body), path, cancellation);

    private async Task<JsonNode> ReadJsonAsync(Func<HttpRequestMessage> request, string path, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.RequestTimeout);
        using HttpResponseMessage response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout, cancellation).ConfigureAwait(false);
        string text = await Guard(path, cancellation, () => response.Content.ReadAsStringAsync(timeout.Token)).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new RemoteEngineException($"{_options.Url} answered /{path} with something that is not JSON", e);
        }
    }

    private static HttpRequestMessage JsonRequest(HttpMethod method, string path, JsonObject body) =>
        new(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    /// <summary>
    /// Sends with the timeout's token and turns transport failures and error statuses into clear
    /// <see cref="RemoteEngineException"/>s. A request that fails before any answer is tried once
    /// more: a server restarted since the last call leaves a dead pooled connection behind.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> request, HttpCompletionOption completion, CancellationTokenSource timeout, CancellationToken cancellation, bool allow503 = false)
    {
        HttpResponseMessage response;
        using (HttpRequestMessage first = request())
        {
            string path = first.RequestUri?.ToString() ?? "";
            try
            {
                response = await _http.SendAsync(first, completion, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (!cancellation.IsCancellationRequested)
            {
                using HttpRequestMessage again = request();
                response = await Guard(path, cancellation, () => _http.SendAsync(again, completion, timeout.Token)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException && !cancellation.IsCancellationRequested)
            {
                MarkDisconnected();
                throw new RemoteEngineException($"{_options.Url} did not answer /{path} in time", e);
            }

            if (response.IsSuccessStatusCode || (allow503 && response.StatusCode == HttpStatusCode.ServiceUnavailable))
            {
                return response;
            }

            using (response)
            {
                string detail = await SafeErrorText(response, timeout.Token).ConfigureAwait(false);
                throw response.StatusCode == HttpStatusCode.Unauthorized
                    ? new RemoteEngineException($"{_options.Url} refused the request: wrong or missing engine.apiKey ({detail})") { Refused = true }
                    : new RemoteEngineException($"{_options.Url} answered /{path} with {(int)response.StatusCode} {response.StatusCode}: {detail}");
            }
        }
    }

    private static async Task<string> SafeErrorText(HttpResponseMessage response, CancellationToken cancellation)
    {
        try
        {
            string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            return JsonNode.Parse(text)?["error"]?["message"]?.GetValue<string>() ?? text;
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException or OperationCanceledException or InvalidOperationException)
        {
            return "no details";
        }
    }

    /// <summary>Runs a transport step; a lost connection or a timeout becomes a <see cref="RemoteEngineException"/> and marks the client disconnected.</summary>
    private async Task<T> Guard<T>(string path, CancellationToken cancellation, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            MarkDisconnected();
            throw new RemoteEngineException($"{_options.Url} did not answer /{path} in time", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            MarkDisconnected();
            throw new RemoteEngineException($"{_options.Url} is unreachable or went away during /{path}: {e.Message}", e);
        }
    }

    private void MarkDisconnected()
    {
        if (_info is not null)
        {
            _log.LogWarning("remote engine {Url}: connection lost; the next request connects again", _options.Url);
        }

        _info = null;
    }
}
