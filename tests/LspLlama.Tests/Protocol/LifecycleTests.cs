using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using StreamJsonRpc;
using Xunit;

namespace LspLlama.Tests.Protocol;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Initialize_advertises_incremental_sync_and_both_completion_kinds()
    {
        await using LspTestClient client = new();
        InitializeResult result = await client.InitializeAsync();

        Assert.Equal("lspllama", result.ServerInfo.Name);
        Assert.Equal(ProtocolConversions.Utf16, result.Capabilities.PositionEncoding);
        Assert.Equal(TextDocumentSyncKind.Incremental, result.Capabilities.TextDocumentSync.Change);
        Assert.True(result.Capabilities.TextDocumentSync.OpenClose);
        Assert.NotNull(result.Capabilities.CompletionProvider);
        Assert.NotNull(result.Capabilities.InlineCompletionProvider);
    }

    [Theory]
    [InlineData(new[] { "utf-16" }, "utf-16")]
    [InlineData(new[] { "utf-16", "utf-8" }, "utf-8")] // Neovim's list
    [InlineData(new[] { "utf-32", "utf-8", "utf-16" }, "utf-8")] // Emacs' list
    [InlineData(new[] { "utf-32", "utf-16" }, "utf-32")]
    public async Task Negotiates_the_position_encoding(string[] offered, string chosen)
    {
        await using LspTestClient client = new();
        InitializeResult result = await client.InitializeAsync(new ClientCapabilities(General: new GeneralClientCapabilities(offered)));
        Assert.Equal(chosen, result.Capabilities.PositionEncoding);
    }

    [Fact]
    public async Task Requests_before_initialize_get_ServerNotInitialized()
    {
        await using LspTestClient client = new();
        RemoteInvocationException e = await Assert.ThrowsAsync<RemoteInvocationException>(() => client.DocumentTextAsync("file:///a"));
        Assert.Equal(LspErrorCodes.ServerNotInitialized, e.ErrorCode);
    }

    [Fact]
    public async Task A_second_initialize_is_an_invalid_request()
    {
        await using LspTestClient client = new();
        await client.InitializeAsync();
        RemoteInvocationException e = await Assert.ThrowsAsync<RemoteInvocationException>(() => client.InitializeAsync());
        Assert.Equal(LspErrorCodes.InvalidRequest, e.ErrorCode);
        Assert.Contains("initialize was already received", e.Message, StringComparison.Ordinal);

        // The refusal is the client's mistake, answered with its reason: the log gets no error or
        // warning for it (an editor shows those as the server failing), and no stack trace.
        await client.NotifyAsync(LspMethods.DidClose, new DidCloseTextDocumentParams(new TextDocumentIdentifier("file:///marker")));
        IReadOnlyList<LogMessageParams> logs = await client.LogsUntilAsync("file:///marker");
        Assert.DoesNotContain(logs, m => m.Type <= MessageType.Warning && !m.Message.Contains("file:///marker", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, m => m.Message.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_shutdown_requests_are_invalid_and_notifications_ignored_then_exit_gives_0()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.OpenAsync("file:///a", "kept");
        await client.RequestAsync<JsonElement?>(LspMethods.Shutdown, null);

        await client.OpenAsync("file:///b", "dropped");
        await client.ChangeAsync("file:///a", 2, new TextDocumentContentChangeEvent("changed"));
        RemoteInvocationException e = await Assert.ThrowsAsync<RemoteInvocationException>(() => client.DocumentTextAsync("file:///a"));
        Assert.Equal(LspErrorCodes.InvalidRequest, e.ErrorCode);

        // The request above was answered after both notifications were handled (arrival order).
        Assert.Equal("kept", client.Server.Documents.Find("file:///a")!.GetText());
        Assert.Null(client.Server.Documents.Find("file:///b"));

        await client.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(0, await client.Exited.WaitAsync(LspTestClient.Timeout));
    }

    [Fact]
    public async Task Exit_without_shutdown_gives_1()
    {
        await using LspTestClient client = new();
        await client.StartAsync();
        await client.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(1, await client.Exited.WaitAsync(LspTestClient.Timeout));
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":"shutdown"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":7,"method":"shutdown","params":null}""")]
    public async Task Shutdown_accepts_absent_or_null_params(string shutdown)
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(LspFrames.Frame(shutdown));
        JsonElement response = await connection.ReadResponseAsync(7);
        Assert.Equal(JsonValueKind.Null, response.GetProperty("result").ValueKind);
        await connection.SendAsync(LspFrames.Frame("""{"jsonrpc":"2.0","method":"exit"}"""));
        Assert.Equal(0, await connection.WaitForExitAsync());
    }

    [Fact]
    public async Task Requests_sent_before_exit_are_answered_even_when_the_client_did_not_wait()
    {
        await using LspRawConnection connection = new();

        // Everything at once, as a script piping a file would: exit arrives before any answer is read.
        await connection.SendAsync([
            .. LspFrames.Request(1, LspMethods.Initialize, new { capabilities = new { } }),
            .. LspFrames.Notification(LspMethods.DidOpen, new { textDocument = new { uri = "file:///p", languageId = "x", version = 1, text = "piped" } }),
            .. LspFrames.Request(2, LspMethods.DocumentText, new { uri = "file:///p" }),
            .. LspFrames.Request(3, LspMethods.Shutdown, null),
            .. LspFrames.Notification(LspMethods.Exit, null),
        ]);

        Assert.Equal(0, await connection.WaitForExitAsync());
        Assert.Equal("piped", (await connection.ReadResponseAsync(2)).GetProperty("result").GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, (await connection.ReadResponseAsync(3)).GetProperty("result").ValueKind);
    }
}
