using System.Net;
using System.Text;
using LspLlama.Core.Tokens;

namespace LspLlama.Tests.Remote;

/// <summary>
/// An HTTP stack that answers like llama-server from responses recorded from the real one
/// (<c>Recorded/</c>), and keeps the requests it got. A route maps "METHOD path" to a response.
/// </summary>
internal sealed class RecordedLlamaServer : HttpMessageHandler
{
    private readonly Dictionary<string, Func<HttpResponseMessage>> _routes = new(StringComparer.Ordinal);

    public RecordedLlamaServer()
    {
        Route("GET health", () => Json("{\"status\":\"ok\"}"));
        Route("GET props", () => Json(Recorded("props.json")));
    }

    public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

    public static string Recorded(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Remote", "Recorded", name));

    public void Route(string key, Func<HttpResponseMessage> answer) => _routes[key] = answer;

    public static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Events(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "text/event-stream") };

    public string BodyOf(string path) => Requests.Last(r => r.Request.RequestUri!.AbsolutePath == "/" + path).Body;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, body));
        string key = request.Method.Method + " " + request.RequestUri!.AbsolutePath.TrimStart('/');
        return _routes.TryGetValue(key, out Func<HttpResponseMessage>? answer) ? answer() : Json("{\"error\":{\"message\":\"File Not Found\"}}", HttpStatusCode.NotFound);
    }
}

/// <summary>A tokenizer that gives fixed ids for any text: enough for the vocabulary check.</summary>
internal sealed class FixedTokenizer(int[] ids) : ITokenizer
{
    public int VocabularySize => 1000;

    public SpecialTokens Special { get; } = new(null, null, null, null, null, null, null, null, false);

    public int[] Tokenize(string text, bool parseSpecial = false) => ids;

    public ReadOnlySpan<byte> TokenBytes(int token) => [];

    public bool IsEndOfGeneration(int token) => false;
}
