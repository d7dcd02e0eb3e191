using LspLlama.Traces;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Bench;

/// <summary><c>serve --record-trace</c>: the editor traffic is written as a trace the bench replays exactly.</summary>
public sealed class RecordTraceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lspllama-record-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_server_records_opens_changes_completions_and_closes_in_order()
    {
        string path = Path.Combine(_dir, "session.trace");
        const string Uri = "file:///w/a.cs";
        await using (LspTestClient client = new(recordTracePath: path))
        {
            await client.StartAsync();
            await client.OpenAsync(Uri, "class A\n{\n}\n");
            await client.ChangeAsync(Uri, 2, new TextDocumentContentChangeEvent("int x;", new LspLlama.Protocol.Range(new Position(1, 1), new Position(1, 1))));
            await client.ChangeAsync(Uri, 3, new TextDocumentContentChangeEvent("class B {}\n"));
            await client.RequestAsync<InlineCompletionList>(LspMethods.InlineCompletion, new
            {
                textDocument = new { uri = Uri },
                position = new { line = 0, character = 5 },
                context = new { triggerKind = 1 },
            });
            await client.NotifyAsync(LspMethods.DidClose, new { textDocument = new { uri = Uri } });
            Assert.Equal(0, await client.ShutdownAndExitAsync());
        }

        EditTrace trace = TraceFile.Read(path);
        Assert.Empty(TracePlayback.Validate(trace));
        Assert.Collection(
            trace.Events,
            e => Assert.Equal("class A\n{\n}\n", Assert.IsType<TraceOpen>(e).Text),
            e =>
            {
                TraceEdit edit = Assert.IsType<TraceEdit>(e);
                Assert.Equal(2, edit.Version);
                Assert.Equal(new TraceRange(new TracePosition(1, 1), new TracePosition(1, 1)), edit.Changes.Single().Range);
                Assert.Equal("int x;", edit.Changes.Single().Text);
            },
            e => Assert.Null(Assert.IsType<TraceEdit>(e).Changes.Single().Range),
            e => Assert.Equal(new TracePosition(0, 5), Assert.IsType<TraceCompletion>(e).Position),
            e => Assert.IsType<TraceClose>(e));
    }
}
