using System.Net.Http.Headers;

namespace LspLlama.Remote;

/// <summary>The HTTP client every remote adapter uses: base address, timeouts and API key from the options.</summary>
public static class RemoteHttp
{
    /// <param name="handler">The HTTP stack; tests pass one that replays recorded responses.</param>
    public static HttpClient Create(RemoteEngineOptions options, HttpMessageHandler? handler)
    {
        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            // A restarted server leaves dead pooled connections; keep them short-lived.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(10),
        };

        // Requests time out per call and per stream chunk (the adapters' own timers), not as a whole.
        var http = new HttpClient(handler) { BaseAddress = options.Url, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        return http;
    }
}
