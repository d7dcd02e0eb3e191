using System.Text.Json;

namespace LspLlama.Server.Settings;

/// <summary>
/// The <c>engine</c> section: where completions are decoded. No URL (the default) runs the model
/// in-process; a URL sends the plan's tokens to a server running the same GGUF (model.path, loaded
/// here vocabulary-only for the tokens).
/// </summary>
/// <param name="Url">The server's base URL (llama-server, or an OpenAI-compatible one with <paramref name="Api"/> openai); null for in-process.</param>
/// <param name="ApiKey">Sent as a bearer token, for a server started with <c>--api-key</c>.</param>
/// <param name="Slot">llama-server's slot for this editor session (<c>id_slot</c>); -1 lets the server choose (it picks the slot whose cache matches the prompt best).</param>
/// <param name="Api">llama-server (<c>/completion</c>, slots, vocabulary check) or openai (<c>/v1/completions</c>: vLLM, SGLang).</param>
/// <param name="TimeoutMs">How long connecting and a non-streamed request may take.</param>
/// <param name="PlaceCheckpoints">llama-server: prefill up to each segment start first, so the server's checkpoints land where edits do.
/// Off by default: measured, it pays only on a server without its host-memory prompt cache (<c>--cache-ram 0</c>).</param>
/// <param name="CheckpointSpacing">No placed checkpoint closer than this to another (match llama-server's --checkpoint-min-step).</param>
public sealed record EngineSection(
    Uri? Url = null, string? ApiKey = null, int Slot = -1, string Api = EngineSection.LlamaServer, int TimeoutMs = 10_000,
    bool PlaceCheckpoints = false, int CheckpointSpacing = 256)
{
    public const string LlamaServer = "llama-server";

    public const string OpenAi = "openai";

    public bool IsRemote => Url is not null;
}

/// <summary><c>{"engine": {"url", "apiKey", "slot", "api", "timeoutMs", "placeCheckpoints", "checkpointSpacing"}}</c>.</summary>
public sealed class EngineSettingsSection : ISettingsSection
{
    public string Name => "engine";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        var r = new SettingReader(Name, section, problems);
        EngineSection e = current.Engine;
        string? url = r.String("url", e.Url?.ToString());
        Uri? parsed = e.Url;
        if (string.IsNullOrWhiteSpace(url))
        {
            parsed = null;
        }
        else if (ParseUrl(url) is { } ok)
        {
            parsed = ok;
        }
        else
        {
            problems.Warn($"engine.url: '{url}' is not an http or https URL; kept {e.Url?.ToString() ?? "the in-process engine"}");
        }

        string? key = r.String("apiKey", e.ApiKey);
        return current with
        {
            Engine = new EngineSection(
                parsed,
                string.IsNullOrEmpty(key) ? null : key,
                r.Int("slot", e.Slot, -1, 4096),
                r.Choice("api", e.Api, [EngineSection.LlamaServer, EngineSection.OpenAi], EngineSection.LlamaServer),
                r.Int("timeoutMs", e.TimeoutMs, 100, 600_000),
                r.Bool("placeCheckpoints", e.PlaceCheckpoints),
                r.Int("checkpointSpacing", e.CheckpointSpacing, 1, 1 << 20)),
        };
    }

    /// <summary>An absolute http(s) URL, with the trailing slash that makes relative paths land under it; null otherwise.</summary>
    public static Uri? ParseUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }
}
