using System.Net;
using System.Text.Json.Nodes;
using LspLlama.Remote;
using Xunit;

namespace LspLlama.Tests.Remote;

/// <summary>The llama-server client against responses recorded from the real server (build 11669).</summary>
public sealed class LlamaServerClientTests
{
    private static readonly int[] s_probeTokens = [5, 6, 7];

    [Fact]
    public async Task Connect_reads_slots_and_context_and_checks_the_vocabulary()
    {
        var server = new RecordedLlamaServer();
        server.Route("POST tokenize", () => RecordedLlamaServer.Json("{\"tokens\":[5,6,7]}"));
        using var client = Client(server, new FixedTokenizer(s_probeTokens));

        RemoteServerInfo info = await client.ConnectAsync(CancellationToken.None);

        Assert.Equal(2, info.SlotCount);
        Assert.Equal(512, info.ContextSize);
        Assert.Equal("/tmp/x.gguf", info.ModelPath);
        JsonNode tokenize = JsonNode.Parse(server.BodyOf("tokenize"))!;
        Assert.Equal(VocabularyCheck.ProbeText, tokenize["content"]!.GetValue<string>());
        Assert.False(tokenize["add_special"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_server_with_another_vocabulary_is_refused_with_the_first_difference()
    {
        var server = new RecordedLlamaServer();
        server.Route("POST tokenize", () => RecordedLlamaServer.Json("{\"tokens\":[5,9,7]}"));
        using var client = Client(server, new FixedTokenizer(s_probeTokens));

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => client.ConnectAsync(CancellationToken.None));

        Assert.Contains("vocabulary differs", error.Message, StringComparison.Ordinal);
        Assert.Contains("token 1 (9 there, 6 here)", error.Message, StringComparison.Ordinal);
        Assert.Null(client.Info);
    }

    [Fact]
    public async Task A_completion_sends_token_ids_to_the_slot_and_streams_tokens_then_the_servers_figures()
    {
        var server = new RecordedLlamaServer();
        server.Route("POST completion", () => RecordedLlamaServer.Events(RecordedLlamaServer.Recorded("completion-stream.txt")));
        using var client = Client(server, tokenizer: null, apiKey: "secret");

        List<RemoteChunk> chunks = await Collect(client.CompleteAsync([10, 20, 30, 40, 50, 60], new RemoteCompletionOptions { MaxTokens = 3, Slot = 1 }, CancellationToken.None));

        JsonNode body = JsonNode.Parse(server.BodyOf("completion"))!;
        Assert.Equal("[10,20,30,40,50,60]", body["prompt"]!.ToJsonString());
        Assert.True(body["cache_prompt"]!.GetValue<bool>());
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.Equal(1, body["id_slot"]!.GetValue<int>());
        Assert.Equal(3, body["n_predict"]!.GetValue<int>());
        Assert.All(server.Requests, r => Assert.Equal("Bearer secret", r.Request.Headers.Authorization?.ToString()));
        Assert.Equal(3, chunks.SelectMany(c => c.Tokens).Count());
        RemoteFigures figures = chunks[^1].Final!;
        Assert.Equal(6, figures.PromptDecoded);
        Assert.Equal(0, figures.PromptReused);
        Assert.Equal(3, figures.Generated);
        Assert.Equal("limit", figures.StopReason);
        Assert.All(chunks[..^1], c => Assert.Null(c.Final));
    }

    [Fact]
    public async Task A_stream_cut_before_its_end_is_an_error_and_the_next_call_connects_again()
    {
        var server = new RecordedLlamaServer();
        string recorded = RecordedLlamaServer.Recorded("completion-stream.txt");
        server.Route("POST completion", () => RecordedLlamaServer.Events(recorded[..recorded.IndexOf("\"stop\":true", StringComparison.Ordinal)]));
        using var client = Client(server, tokenizer: null);
        await client.ConnectAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => Collect(client.CompleteAsync([1, 2], new RemoteCompletionOptions(), CancellationToken.None)));

        Assert.Contains("closed the completion stream", error.Message, StringComparison.Ordinal);
        Assert.Null(client.Info);
        int healthChecks = server.Requests.Count(r => r.Request.RequestUri!.AbsolutePath == "/health");
        await client.ConnectAsync(CancellationToken.None);
        Assert.Equal(healthChecks + 1, server.Requests.Count(r => r.Request.RequestUri!.AbsolutePath == "/health"));
    }

    [Fact]
    public async Task An_error_event_in_the_stream_gives_the_servers_message()
    {
        var server = new RecordedLlamaServer();
        server.Route("POST completion", () => RecordedLlamaServer.Events(
            "error: {\"code\":400,\"message\":\"the request exceeds the available context size\",\"type\":\"exceed_context_size_error\"}\n\n"));
        using var client = Client(server, tokenizer: null);

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => Collect(client.CompleteAsync([1], new RemoteCompletionOptions(), CancellationToken.None)));

        Assert.Contains("exceeds the available context size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_key_names_the_setting()
    {
        var server = new RecordedLlamaServer();
        server.Route("GET health", () => RecordedLlamaServer.Json("{\"error\":{\"code\":401,\"message\":\"Invalid API Key\"}}", HttpStatusCode.Unauthorized));
        using var client = Client(server, tokenizer: null, apiKey: "wrong");

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => client.ConnectAsync(CancellationToken.None));

        Assert.Contains("engine.apiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid API Key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_clear_error_and_a_missing_slot_is_refused()
    {
        var unreachable = new RecordedLlamaServer();
        unreachable.Route("GET health", () => throw new HttpRequestException("Connection refused"));
        using var down = Client(unreachable, tokenizer: null);
        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => down.ConnectAsync(CancellationToken.None));
        Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);

        using var up = Client(new RecordedLlamaServer(), tokenizer: null);
        var slotError = await Assert.ThrowsAsync<RemoteEngineException>(() => Collect(up.CompleteAsync([1], new RemoteCompletionOptions { Slot = 2 }, CancellationToken.None)));
        Assert.Contains("has 2 slots", slotError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_still_loading_its_model_is_waited_for()
    {
        var server = new RecordedLlamaServer();
        int calls = 0;
        server.Route("GET health", () => ++calls < 3
            ? RecordedLlamaServer.Json("{\"error\":{\"code\":503,\"message\":\"Loading model\"}}", HttpStatusCode.ServiceUnavailable)
            : RecordedLlamaServer.Json("{\"status\":\"ok\"}"));
        using var client = Client(server, tokenizer: null);

        RemoteServerInfo info = await client.ConnectAsync(CancellationToken.None);

        Assert.Equal(3, calls);
        Assert.Equal(2, info.SlotCount);
    }

    internal static async Task<List<RemoteChunk>> Collect(IAsyncEnumerable<RemoteChunk> stream)
    {
        var chunks = new List<RemoteChunk>();
        await foreach (RemoteChunk chunk in stream)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    private static LlamaServerClient Client(RecordedLlamaServer server, LspLlama.Core.Tokens.ITokenizer? tokenizer, string? apiKey = null) =>
        new(new RemoteEngineOptions { Url = new Uri("http://127.0.0.1:1/"), ApiKey = apiKey }, tokenizer, handler: server);
}
