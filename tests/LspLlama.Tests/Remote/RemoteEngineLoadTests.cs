using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Engine;
using LspLlama.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LspLlama.Tests.Remote;

/// <summary>
/// Four editor sessions (four language servers, as four editors would run them) share one
/// llama-server with four slots, each session on its own slot: every request is answered, for its
/// own document, and each session decodes within 1.2 × of what it decodes with the server to itself.
/// </summary>
public sealed class RemoteEngineLoadTests(ITestOutputHelper output)
{
    private const int Sessions = 4;

    [Fact]
    public async Task Four_sessions_on_four_slots_each_decode_what_they_decode_alone()
    {
        string model = TinyModels.Get(TinyArch.GraniteHybrid);
        using LlamaServerProcess server = await LlamaServerProcess.StartAsync(model, slots: Sessions);
        var clock = Stopwatch.StartNew();

        var alone = new SessionResult[Sessions];
        for (int i = 0; i < Sessions; i++)
        {
            alone[i] = await RunSessionAsync(model, server.Url, i);
        }

        TimeSpan aloneTime = clock.Elapsed;

        // A fresh server: no slot starts with what the solo runs left in it.
        server.Kill();
        await server.RestartAsync();
        clock.Restart();
        SessionResult[] together = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(i => RunSessionAsync(model, server.Url, i)))
            .WaitAsync(TimeSpan.FromMinutes(5));
        TimeSpan togetherTime = clock.Elapsed;

        for (int i = 0; i < Sessions; i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"session {i}: {together[i].Completions} completions, decoded {together[i].Decoded} tokens together, {alone[i].Decoded} alone ({(double)together[i].Decoded / alone[i].Decoded:F2} x); per request together [{string.Join(' ', together[i].PerRequest)}]"));
            Assert.Equal(SessionResult.Requests, together[i].Completions);
            Assert.Equal(SessionResult.Requests, alone[i].Completions);
            Assert.InRange(together[i].Decoded, alone[i].Decoded / 1.2, alone[i].Decoded * 1.2);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alone, one after another: {aloneTime.TotalSeconds:F1} s; together: {togetherTime.TotalSeconds:F1} s"));
    }

    /// <summary>One editing session on <paramref name="slot"/>: three files, typing in one, an edit in another, a completion after each step.</summary>
    private static async Task<SessionResult> RunSessionAsync(string model, Uri url, int slot)
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(RemoteEngineProtocolTests.RemoteSettings(model, url, slot));
        string[] uris = [.. new[] { "a.py", "b.py", "c.py" }.Select(n => $"file:///session{slot}/{n}")];
        for (int f = 0; f < uris.Length; f++)
        {
            await client.OpenAsync(uris[f], Text(f, slot));
        }

        var result = new SessionResult();
        await result.CompleteAsync(client, uris[2], 3, 13);
        int version = 2;
        int column = 13;
        for (int k = 0; k < 4; k++)
        {
            string typed = await SyncFigureTests.TypeNotSuggestedAsync(client, uris[2], version++, 3, column);
            column += typed.Length;
            await result.CompleteAsync(client, uris[2], 3, column);
        }

        await client.InsertAsync(uris[0], 2, 1, 0, $"    # session {slot} note\n");
        await result.CompleteAsync(client, uris[2], 2, 18);
        for (int k = 0; k < 2; k++)
        {
            string typed = await SyncFigureTests.TypeNotSuggestedAsync(client, uris[2], version++, 3, column);
            column += typed.Length;
            await result.CompleteAsync(client, uris[2], 3, column);
        }

        return result;
    }

    private static string Text(int file, int session) => file switch
    {
        0 => $"import math\n\ndef area_{session}(r):\n    return math.pi * r * r\n\n\ndef circumference(r):\n    return 2 * math.pi * r * {session + 1}\n",
        1 => $"class Point{session}:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n\n    def norm(self):\n        return (self.x ** 2 + self.y ** 2) ** 0.5\n",
        _ => $"from a import area_{session}\n\ndef total(shapes):\n    total = s\n    for shape in shapes:\n        total += area_{session}(shape) * {session}\n    return total\n",
    };

    private sealed class SessionResult
    {
        public const int Requests = 8;

        public List<int> PerRequest { get; } = [];

        public int Completions { get; private set; }

        public int Decoded => PerRequest.Sum();

        /// <summary>A completion, answered for its own document, and what the server decoded for it.</summary>
        public async Task CompleteAsync(EngineClient client, string uri, int line, int character)
        {
            int syncsBefore = (await client.StatusAsync()).GetProperty("syncs").GetInt32();
            InlineCompletionList answer = await client.InlineAsync(uri, line, character);
            Assert.NotNull(answer);
            JsonElement status = await client.StatusAsync();
            Assert.True(status.GetProperty("syncs").GetInt32() > syncsBefore, "the cache answered: the session should type what was not suggested");
            JsonElement active = status.GetProperty("plan").GetProperty("segments").EnumerateArray().Single(s => s.GetProperty("active").GetBoolean());
            Assert.Equal(uri, active.GetProperty("uri").GetString());
            JsonElement sync = status.GetProperty("lastSync");
            RemoteEngineProtocolTests.AssertServerFigures(sync);
            Assert.True(status.GetProperty("lastGeneration").GetProperty("tokens").GetInt32() >= 1, "no tokens generated: the request was not answered by the server");
            PerRequest.Add(sync.GetProperty("decodedTokens").GetInt32());
            Completions++;
        }
    }
}
