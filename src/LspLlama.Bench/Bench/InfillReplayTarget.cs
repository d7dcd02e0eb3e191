using System.Text;
using System.Text.Json.Nodes;
using LspLlama.Core.Bench;
using LspLlama.Core.Completion;
using LspLlama.Core.Documents;
using LspLlama.Remote;

namespace LspLlama.Bench;

/// <summary>
/// Replays a trace as llama.vscode drives llama-server: each completion request that its own cache
/// cannot answer is one <c>/infill</c> request in <see cref="InfillLayout"/>, on one slot with
/// <c>cache_prompt</c>; the cost is the server's <c>timings.prompt_n</c>. The typed-ahead cache is
/// the server's own (<see cref="SuggestionCache"/>), so both layouts skip the same requests.
/// </summary>
public sealed class InfillReplayTarget : IReplayTarget
{
    private readonly DocumentStore _store = new();
    private readonly List<string> _recent = [];
    private readonly SuggestionCache _cache = new();
    private readonly HttpClient _http;
    private readonly int _slot;
    private readonly int _maxTokens;
    private readonly PositionEncoding _encoding;

    private readonly Func<string, int> _countTokens;
    private readonly int _contextSize;

    public InfillReplayTarget(Uri url, int slot, int maxTokens, string positionEncoding, Func<string, int> countTokens, int contextSize)
    {
        _countTokens = countTokens;
        _contextSize = contextSize;
        _http = RemoteHttp.Create(new RemoteEngineOptions { Url = url, RequestTimeout = TimeSpan.FromMinutes(5) }, handler: null);
        _slot = slot;
        _maxTokens = maxTokens;
        _encoding = TraceDocuments.EncodingOf(positionEncoding);
    }

    public void Apply(TraceEvent e)
    {
        switch (e)
        {
            case TraceOpen open:
                _store.Open(open.Uri, open.LanguageId, open.Version, open.Text);
                Used(open.Uri);
                break;
            case TraceEdit edit:
                _store.Change(edit.Uri, edit.Version, [.. edit.Changes.Select(TraceDocuments.ToDocumentChange)], _encoding);
                _cache.ForgetOthers(edit.Uri);
                Used(edit.Uri);
                break;
            case TraceClose close:
                _store.Close(close.Uri);
                _cache.Forget(close.Uri);
                _recent.Remove(close.Uri);
                break;
            case TraceFocus focus:
                Used(focus.Uri);
                break;
            default:
                throw new ArgumentException($"{e.GetType().Name} is not applied, it is synced", nameof(e));
        }
    }

    public SyncCost? Sync(TraceCompletion request, CancellationToken cancellation)
    {
        (string text, int offset) = TraceDocuments.At(_store, request, _encoding);
        var completion = new CompletionRequest(request.Uri, text[..offset], text[offset..]);
        Used(request.Uri);
        if (_cache.TryGet(completion) is not null)
        {
            return null;
        }

        IEnumerable<(string, string)> others = _recent.Where(u => u != request.Uri)
            .Select(u => (u, _store.Find(u)!.Snapshot().Text));
        JsonObject body = InfillLayout.Request(request.Uri, text, offset, others, _slot, _maxTokens, _countTokens, _contextSize);
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = _http.PostAsync("infill", content, cancellation).GetAwaiter().GetResult();
        string answer = response.Content.ReadAsStringAsync(cancellation).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new RemoteEngineException($"/infill answered {(int)response.StatusCode}: {answer}");
        }

        JsonNode node = JsonNode.Parse(answer) ?? throw new RemoteEngineException("/infill answered null");
        JsonNode? timings = node["timings"];
        int decoded = timings?["prompt_n"]?.GetValue<int>() ?? 0;
        int reused = timings?["cache_n"]?.GetValue<int>() ?? 0;
        _cache.Remember(completion, node["content"]?.GetValue<string>());

        // No ideal here: the layout, not a rollback, decides what changes; the row's ideal is its decode.
        return new SyncCost(decoded, decoded, timings?["prompt_ms"]?.GetValue<double>() ?? 0, 0, decoded + reused, FullReprocess: reused == 0);
    }

    public void Dispose() => _http.Dispose();

    private void Used(string uri)
    {
        _recent.Remove(uri);
        _recent.Add(uri);
    }
}
