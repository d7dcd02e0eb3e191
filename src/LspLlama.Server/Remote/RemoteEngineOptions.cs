namespace LspLlama.Remote;

/// <summary>Where the remote engine is and how long to wait for it (<c>engine.url</c>, <c>engine.apiKey</c>).</summary>
public sealed record RemoteEngineOptions
{
    public required Uri Url { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer</c> for a server started with <c>--api-key</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>How long connecting and each non-streamed request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a streamed completion may go without a chunk (the prompt's decode comes before the first).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a server that answers "loading model" (503) is waited for at connect.</summary>
    public TimeSpan LoadingWait { get; init; } = TimeSpan.FromSeconds(60);
}
