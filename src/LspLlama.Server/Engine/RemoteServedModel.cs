using LLama;
using LLama.Common;
using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;
using LspLlama.Llama;
using LspLlama.ModelFiles;
using LspLlama.Remote;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;

namespace LspLlama.Engine;

/// <summary>
/// A model served by another process (<c>engine.url</c>): the same GGUF is loaded here
/// vocabulary-only for the tokens, the session mirrors what the server's slot was sent
/// (<see cref="RemoteSlotMirror"/>), and each completion is one streamed request of the synced
/// tokens. So plan, cache, stop rules and post-processing are the in-process ones; only the decode
/// happens elsewhere, and the figures are the server's own (<c>prompt_n</c>, <c>cache_n</c>).
/// Used on the inference thread only, like <see cref="LoadedModel"/>.
/// </summary>
public sealed class RemoteServedModel : IServedModel, IDisposable
{
    private readonly LLamaWeights _vocabulary;
    private readonly IRemoteCompletionBackend _backend;
    private readonly int? _slot;
    private readonly int _endToken;
    private readonly ServerCheckpointPlacement? _placement;
    private int[] _sent = [];
    private RemoteFigures? _last;

    private RemoteServedModel(
        string path, string architecture, LLamaWeights vocabulary, IRemoteCompletionBackend backend, int contextSize, int batchSize, int? slot, RemoteServerInfo? info, ServerCheckpointPlacement? placement)
    {
        Path = path;
        Architecture = architecture;
        _vocabulary = vocabulary;
        _backend = backend;
        _slot = slot;
        _placement = placement;
        Server = info;
        ContextSize = contextSize;
        BatchSize = batchSize;
        Tokenizer = new LlamaTokenizer(vocabulary.NativeHandle);
        _endToken = EndToken(path, Tokenizer);
        Session = new ModelSession(new RemoteSlotMirror(contextSize, batchSize), new ServerSideCheckpoints());
    }

    public string Path { get; }

    public string Architecture { get; }

    public LlamaTokenizer Tokenizer { get; }

    ITokenizer IServedModel.Tokenizer => Tokenizer;

    public ModelSession Session { get; }

    public int ContextSize { get; }

    public int BatchSize { get; }

    /// <summary>What the server said when the model was loaded; null when it could not be reached then.</summary>
    public RemoteServerInfo? Server { get; }

    /// <summary>The server's figures of the last request that got an answer; null before one.</summary>
    public RemoteFigures? LastRemote => _last;

    /// <summary>
    /// Loads <paramref name="path"/> vocabulary-only and connects to the engine. A server that
    /// refuses this client (another vocabulary, a wrong key, a slot it does not have) fails the
    /// load with its reason; one that cannot be reached is logged, and every completion tries to
    /// connect again, with the context size of <c>model.contextSize</c> until then.
    /// </summary>
    public static RemoteServedModel Connect(string path, ModelSettings model, EngineSection engine, ILogger logger, CancellationToken cancellation)
    {
        GgufHeader header = GgufHeader.Read(path);
        LLamaWeights vocabulary = LoadedModel.LoadWeights(new ModelParams(path) { VocabOnly = true });
        IRemoteCompletionBackend? backend = null;
        try
        {
            var tokenizer = new LlamaTokenizer(vocabulary.NativeHandle);
            var options = new RemoteEngineOptions { Url = engine.Url!, ApiKey = engine.ApiKey, RequestTimeout = TimeSpan.FromMilliseconds(engine.TimeoutMs) };
            backend = engine.Api == EngineSection.OpenAi
                ? new OpenAiCompletionsClient(options, logger)
                : new LlamaServerClient(options, tokenizer, logger);
            RemoteServerInfo? info = null;
            try
            {
                info = backend.ConnectAsync(cancellation).GetAwaiter().GetResult();
            }
            catch (RemoteEngineException e) when (!e.Refused)
            {
                logger.LogWarning("The remote engine is not reachable yet ({Message}); completions try it again, with a context of {Context} tokens until then", e.Message, model.ContextSize);
            }

            int? slot = engine.Slot >= 0 && engine.Api == EngineSection.LlamaServer ? engine.Slot : null;
            if (slot is { } s && info is { SlotCount: > 0 } known && s >= known.SlotCount)
            {
                throw new RemoteEngineException($"engine.slot {s} does not exist: {known.Url} has {known.SlotCount} slots (llama-server --parallel)") { Refused = true };
            }

            int context = info is { ContextSize: > 0 } ? info.ContextSize : model.ContextSize;
            ServerCheckpointPlacement? placement = engine.PlaceCheckpoints && engine.Api == EngineSection.LlamaServer
                ? new ServerCheckpointPlacement(model.MicroBatchSize, engine.CheckpointSpacing) : null;
            return new RemoteServedModel(path, header.Architecture ?? "unknown", vocabulary, backend, context, model.BatchSize, slot, info, placement);
        }
        catch
        {
            backend?.Dispose();
            vocabulary.Dispose();
            throw;
        }
    }

    public ITokenGenerator Generator(LogitSampler sampler) => Generator(sampler, new GenerationOptions(), SyncHints.None, CancellationToken.None);

    public ITokenGenerator Generator(LogitSampler sampler, GenerationOptions options, SyncHints hints, CancellationToken cancellation)
    {
        int[] prompt = Session.Held.ToArray();
        _last = null;
        _sent = prompt;
        RemoteFigures? placed = PlaceCheckpoints(prompt, hints, cancellation);
        return RemoteTokenGenerator.Start(
            _backend.CompleteAsync(prompt, Request(options, options.MaxTokens), cancellation), Session, _endToken, f => _last = Sum(placed, f), cancellation);
    }

    /// <summary>Sends the synced tokens as a prefill (<c>n_predict</c> 0), unless the server was sent exactly these last.</summary>
    public void Prefilled(SyncHints hints, CancellationToken cancellation)
    {
        if (Session.Held.SequenceEqual(_sent))
        {
            return;
        }

        int[] prompt = Session.Held.ToArray();
        _last = null;
        _sent = [];
        RemoteFigures? placed = PlaceCheckpoints(prompt, hints, cancellation);
        Drain(_backend.CompleteAsync(prompt, Request(new GenerationOptions(), maxTokens: 0), cancellation), cancellation).GetAwaiter().GetResult();
        _last = Sum(placed, _last);
        _sent = prompt;
    }

    /// <summary>
    /// The sync as the server did it: what it took from its cache and what it decoded for the last
    /// request; nothing decoded when that request got no answer.
    /// </summary>
    public SyncFigures? Reported(SyncFigures? sync) => sync is not { } s ? null
        : _last is { } f ? s with { Kept = f.PromptReused, Decoded = f.PromptDecoded, RestoredFrom = -1, Decoding = TimeSpan.FromMilliseconds(f.PromptMs) }
        : s with { Decoded = 0, Decoding = TimeSpan.Zero };

    public void Dispose()
    {
        _backend.Dispose();
        _vocabulary.Dispose();
    }

    private RemoteCompletionOptions Request(GenerationOptions options, int maxTokens) => new()
    {
        MaxTokens = maxTokens,
        Slot = _slot,
        Temperature = options.Sampling.Temperature,
        TopK = options.Sampling.TopK,
        TopP = options.Sampling.TopP,
        Seed = options.Sampling.Seed,
    };

    private async Task Drain(IAsyncEnumerable<RemoteChunk> chunks, CancellationToken cancellation)
    {
        await foreach (RemoteChunk chunk in chunks.WithCancellation(cancellation).ConfigureAwait(false))
        {
            if (chunk.Figures is { } f)
            {
                _last = f;
            }
        }
    }

    /// <summary>The prefills that leave the server's checkpoints at the plan's segment starts (<see cref="ServerCheckpointPlacement"/>); their figures, summed.</summary>
    private RemoteFigures? PlaceCheckpoints(int[] prompt, SyncHints hints, CancellationToken cancellation)
    {
        if (_placement is null)
        {
            return null;
        }

        RemoteFigures? sum = null;
        try
        {
            foreach (int end in _placement.Prefills(prompt, hints))
            {
                _last = null;
                Drain(_backend.CompleteAsync(prompt[..end], Request(new GenerationOptions(), maxTokens: 0), cancellation), cancellation).GetAwaiter().GetResult();
                sum = Sum(sum, _last);
            }
        }
        catch
        {
            _placement.Forget();
            throw;
        }

        return sum;
    }

    /// <summary>Two requests of one sync as one: what the first took from the cache, what both decoded.</summary>
    private static RemoteFigures? Sum(RemoteFigures? first, RemoteFigures? then) =>
        first is null ? then
        : then is null ? first
        : then with { PromptDecoded = first.PromptDecoded + then.PromptDecoded, PromptReused = first.PromptReused, PromptMs = first.PromptMs + then.PromptMs };

    /// <summary>The token that ends a generation when the server's stream ends (EOS, else the first end-of-generation token).</summary>
    private static int EndToken(string path, LlamaTokenizer tokenizer)
    {
        if (tokenizer.Special.Eos is int eos)
        {
            return eos;
        }

        for (int id = 0; id < tokenizer.VocabularySize; id++)
        {
            if (tokenizer.IsEndOfGeneration(id))
            {
                return id;
            }
        }

        throw new InvalidModelFileException(path, "its vocabulary has no end-of-generation token");
    }
}
