using System.Text.Json;
using System.Text.Json.Nodes;

namespace LspLlama.Remote;

/// <summary>The events of llama-server's streamed <c>/completion</c>: tokens and text, and the figures in the last one.</summary>
public static class LlamaServerStream
{
    public static RemoteChunk ParseChunk(string payload)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(payload);
        }
        catch (JsonException e)
        {
            throw new RemoteEngineException("llama-server streamed an event that is not JSON", e);
        }

        if (node is null)
        {
            throw new RemoteEngineException("llama-server streamed an empty event");
        }

        if (node["error"] is { } error)
        {
            string message = error is JsonObject ? error["message"]?.GetValue<string>() ?? error.ToJsonString() : error.ToString();
            throw new RemoteEngineException($"llama-server failed the completion: {message}");
        }

        int[] tokens = node["tokens"] is JsonArray array ? array.Select(t => t!.GetValue<int>()).ToArray() : [];
        string text = node["content"]?.GetValue<string>() ?? "";
        JsonNode? timings = node["timings"];
        bool final = node["stop"]?.GetValue<bool>() == true;
        if (!final && timings is null)
        {
            return new RemoteChunk(tokens, text);
        }

        var figures = new RemoteFigures(
            PromptDecoded: timings?["prompt_n"]?.GetValue<int>() ?? 0,
            PromptReused: timings?["cache_n"]?.GetValue<int>() ?? 0,
            Generated: timings?["predicted_n"]?.GetValue<int>() ?? node["tokens_predicted"]?.GetValue<int>() ?? 0,
            PromptMs: timings?["prompt_ms"]?.GetValue<double>() ?? 0,
            GenerationMs: timings?["predicted_ms"]?.GetValue<double>() ?? 0,
            StopReason: final ? node["stop_type"]?.GetValue<string>() ?? "unknown" : "");
        return final ? new RemoteChunk(tokens, text, figures) : new RemoteChunk(tokens, text) { Progress = figures };
    }
}
