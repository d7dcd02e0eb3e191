using System.Text.Json;
using System.Text.Json.Nodes;

namespace LspLlama.Remote;

/// <summary>
/// The events of a streamed OpenAI-style <c>/v1/completions</c> (vLLM, SGLang, llama-server): text per
/// chunk, token ids where the server returns them (vLLM's <c>return_token_ids</c>), the finish reason,
/// and the usage (with <c>stream_options.include_usage</c>), whose <c>prompt_tokens_details.cached_tokens</c>
/// tells what the prefix cache served. llama-server puts finish reason and usage in one event, vLLM
/// sends usage in a last event with no choices: the figures come from whichever carries usage.
/// </summary>
public static class OpenAiCompletionStream
{
    /// <summary>The chunk of one event, and the finish reason it carried (null when none).</summary>
    public static (RemoteChunk Chunk, string? FinishReason) ParseEvent(string payload, string? finishSoFar)
    {
        JsonNode node;
        try
        {
            node = JsonNode.Parse(payload) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new RemoteEngineException("the server streamed an event that is not JSON", e);
        }

        if (node["error"] is { } error)
        {
            string message = error is JsonObject ? error["message"]?.GetValue<string>() ?? error.ToJsonString() : error.ToString();
            throw new RemoteEngineException($"the server failed the completion: {message}");
        }

        JsonNode? choice = node["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
        string text = choice?["text"]?.GetValue<string>() ?? "";
        int[] tokens = choice?["token_ids"] is JsonArray ids ? ids.Select(t => t!.GetValue<int>()).ToArray() : [];
        string? finish = choice?["finish_reason"]?.GetValue<string>() ?? finishSoFar;
        if (node["usage"] is not JsonObject usage)
        {
            return (new RemoteChunk(tokens, text), finish);
        }

        int prompt = usage["prompt_tokens"]?.GetValue<int>() ?? 0;
        int cached = usage["prompt_tokens_details"]?["cached_tokens"]?.GetValue<int>() ?? 0;
        var figures = new RemoteFigures(
            PromptDecoded: prompt - cached,
            PromptReused: cached,
            Generated: usage["completion_tokens"]?.GetValue<int>() ?? 0,
            PromptMs: node["timings"]?["prompt_ms"]?.GetValue<double>() ?? 0,
            GenerationMs: node["timings"]?["predicted_ms"]?.GetValue<double>() ?? 0,
            StopReason: finish ?? "unknown");
        return (new RemoteChunk(tokens, text, figures), finish);
    }
}
