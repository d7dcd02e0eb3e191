namespace LspLlama.Remote;

/// <summary>
/// A completion engine in another process (llama-server, or an OpenAI-compatible server such as vLLM
/// or SGLang): the plan's token sequence goes in, generated tokens stream out, and the last chunk
/// carries what the server decoded. Implementations reconnect by themselves after the server went
/// away or restarted; a failed call throws <see cref="RemoteEngineException"/> and the next call
/// tries again.
/// </summary>
public interface IRemoteCompletionBackend : IDisposable
{
    /// <summary>Connects (or re-connects) and checks the server; cheap when already connected.</summary>
    Task<RemoteServerInfo> ConnectAsync(CancellationToken cancellation);

    /// <summary>
    /// Streams a completion of <paramref name="prompt"/> (token ids of the same vocabulary).
    /// Stopping the enumeration or cancelling closes the request, which stops the server's work.
    /// The last chunk has <see cref="RemoteChunk.Final"/> set.
    /// </summary>
    IAsyncEnumerable<RemoteChunk> CompleteAsync(IReadOnlyList<int> prompt, RemoteCompletionOptions options, CancellationToken cancellation);
}

/// <summary>What a request asks for. <see cref="MaxTokens"/> 0 is a prefill: the prompt is decoded and cached, nothing generated.</summary>
public sealed record RemoteCompletionOptions
{
    public int MaxTokens { get; init; } = 128;

    /// <summary>The server slot, one per editor session (llama-server's <c>id_slot</c>); null lets the server choose.</summary>
    public int? Slot { get; init; }

    public float Temperature { get; init; }

    public int TopK { get; init; } = 40;

    public float TopP { get; init; } = 0.95f;

    public uint? Seed { get; init; }
}

/// <summary>Generated tokens and their text; the last chunk of a completion also carries the figures.</summary>
public sealed record RemoteChunk(IReadOnlyList<int> Tokens, string Text, RemoteFigures? Final = null)
{
    /// <summary>
    /// The figures so far, where the server sends them with every chunk (llama-server's
    /// <c>timings_per_token</c>): a completion closed early by the stop rules still knows what the
    /// server decoded for its prompt. The last chunk's are <see cref="Final"/>.
    /// </summary>
    public RemoteFigures? Figures => Final ?? Progress;

    public RemoteFigures? Progress { get; init; }
}

/// <summary>
/// What the server did for one request, from its own figures: <see cref="PromptDecoded"/> prompt tokens
/// decoded (llama-server's <c>timings.prompt_n</c>), <see cref="PromptReused"/> taken from its cache
/// (<c>timings.cache_n</c>).
/// </summary>
public sealed record RemoteFigures(int PromptDecoded, int PromptReused, int Generated, double PromptMs, double GenerationMs, string StopReason);

/// <summary>What the server told at connect.</summary>
public sealed record RemoteServerInfo(string Url, int ContextSize, int SlotCount, string Build, string ModelPath);

/// <summary>A remote engine failure with a message fit for the user's log: unreachable, timed out, refused, or a vocabulary mismatch.</summary>
public sealed class RemoteEngineException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The server answered but cannot serve this client (another vocabulary, a wrong API key): trying again will not help.</summary>
    public bool Refused { get; init; }
}
