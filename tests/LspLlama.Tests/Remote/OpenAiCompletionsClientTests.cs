using System.Text.Json.Nodes;
using LspLlama.Remote;
using Xunit;

namespace LspLlama.Tests.Remote;

/// <summary>
/// The OpenAI-compatible adapter against llama-server's own <c>/v1/completions</c> (recorded from build
/// 11669) and against a stream in vLLM's documented shape (usage in a last event with no choices, token ids per choice).
/// </summary>
public sealed class OpenAiCompletionsClientTests
{
    [Fact]
    public async Task A_completion_sends_token_ids_and_reads_the_usage_of_llama_servers_stream()
    {
        var server = new RecordedLlamaServer();
        server.Route("GET v1/models", () => RecordedLlamaServer.Json(RecordedLlamaServer.Recorded("openai-models.json")));
        server.Route("POST v1/completions", () => RecordedLlamaServer.Events(RecordedLlamaServer.Recorded("openai-completion-stream.txt")));
        using var client = new OpenAiCompletionsClient(new RemoteEngineOptions { Url = new Uri("http://127.0.0.1:1/"), ApiKey = "k" }, handler: server);

        List<RemoteChunk> chunks = await LlamaServerClientTests.Collect(client.CompleteAsync([10, 20, 30, 40, 50, 60], new RemoteCompletionOptions { MaxTokens = 3 }, CancellationToken.None));

        JsonNode body = JsonNode.Parse(server.BodyOf("v1/completions"))!;
        Assert.Equal("[10,20,30,40,50,60]", body["prompt"]!.ToJsonString());
        Assert.Equal("/tmp/x.gguf", body["model"]!.GetValue<string>());
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.All(server.Requests, r => Assert.Equal("Bearer k", r.Request.Headers.Authorization?.ToString()));
        Assert.Equal(" quantity(valueey", string.Concat(chunks.Select(c => c.Text)));
        Assert.Equal(512, client.Info!.ContextSize);
        RemoteFigures figures = chunks[^1].Final!;
        Assert.Equal((6, 0, 3, "length"), (figures.PromptDecoded, figures.PromptReused, figures.Generated, figures.StopReason));
    }

    [Fact]
    public async Task A_vllm_stream_gives_token_ids_and_the_cached_prefix()
    {
        var server = new RecordedLlamaServer();
        server.Route("GET v1/models", () => RecordedLlamaServer.Json("{\"object\":\"list\",\"data\":[{\"id\":\"qwen\",\"object\":\"model\",\"owned_by\":\"vllm\",\"max_model_len\":32768}]}"));
        server.Route("POST v1/completions", () => RecordedLlamaServer.Events(RecordedLlamaServer.Recorded("vllm-shaped-completion-stream.txt")));
        using var client = new OpenAiCompletionsClient(new RemoteEngineOptions { Url = new Uri("http://127.0.0.1:1/") }, handler: server);

        List<RemoteChunk> chunks = await LlamaServerClientTests.Collect(client.CompleteAsync([1, 2, 3], new RemoteCompletionOptions(), CancellationToken.None));

        Assert.Equal([2790, 1421], chunks.SelectMany(c => c.Tokens));
        Assert.Equal(32768, client.Info!.ContextSize);
        RemoteFigures figures = chunks[^1].Final!;
        Assert.Equal((16, 1024, 2, "length"), (figures.PromptDecoded, figures.PromptReused, figures.Generated, figures.StopReason));
    }

    [Fact]
    public async Task A_stream_cut_before_the_finish_is_an_error()
    {
        var server = new RecordedLlamaServer();
        server.Route("GET v1/models", () => RecordedLlamaServer.Json("{\"data\":[{\"id\":\"m\"}]}"));
        string recorded = RecordedLlamaServer.Recorded("vllm-shaped-completion-stream.txt");
        server.Route("POST v1/completions", () => RecordedLlamaServer.Events(recorded[..recorded.IndexOf("\"length\"", StringComparison.Ordinal)]));
        using var client = new OpenAiCompletionsClient(new RemoteEngineOptions { Url = new Uri("http://127.0.0.1:1/") }, handler: server);

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => LlamaServerClientTests.Collect(client.CompleteAsync([1], new RemoteCompletionOptions(), CancellationToken.None)));

        Assert.Contains("closed the completion stream", error.Message, StringComparison.Ordinal);
        Assert.Null(client.Info);
    }
}
