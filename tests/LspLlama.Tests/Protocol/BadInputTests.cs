using System.Text;
using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Protocol;

/// <summary>What a broken or hostile client can send: the server answers or logs, and keeps serving.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Malformed_json_gets_a_parse_error_and_the_server_keeps_serving()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(LspFrames.Frame("""{"jsonrpc":"2.0","id":5,"method":"""));

        JsonElement error = await connection.ReadResponseAsync(id: null);
        Assert.Equal(LspErrorCodes.ParseError, error.GetProperty("error").GetProperty("code").GetInt32());
        await AssertStillServingAsync(connection);
    }

    [Fact]
    public async Task Json_that_is_not_a_message_gets_an_invalid_request_error_with_its_id()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(LspFrames.Frame("""{"jsonrpc":"2.0","id":9}"""));

        JsonElement error = await connection.ReadResponseAsync(9);
        Assert.Equal(LspErrorCodes.InvalidRequest, error.GetProperty("error").GetProperty("code").GetInt32());
        await AssertStillServingAsync(connection);
    }

    [Fact]
    public async Task A_missing_content_length_gets_a_parse_error_and_reading_resumes_at_the_next_frame()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        byte[] headerless = Encoding.ASCII.GetBytes("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"shutdown\"}");
        await connection.SendAsync(headerless);

        JsonElement error = await connection.ReadResponseAsync(id: null);
        Assert.Equal(LspErrorCodes.ParseError, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("Content-Length", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        // The unframed body (a shutdown!) was skipped, not executed.
        await AssertStillServingAsync(connection);
        Assert.False(connection.Server.Lifecycle.IsShutDown);
    }

    [Fact]
    public async Task A_body_with_no_header_at_all_is_skipped_up_to_the_next_frame()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(Encoding.ASCII.GetBytes("{\"garbage\":true}\r\n"));
        JsonElement error = await connection.ReadResponseAsync(id: null);
        Assert.Equal(LspErrorCodes.ParseError, error.GetProperty("error").GetProperty("code").GetInt32());
        await AssertStillServingAsync(connection);
    }

    [Fact]
    public async Task An_unknown_method_gets_MethodNotFound()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        JsonElement response = await connection.RequestAsync("textDocument/noSuchThing", new { }, id: 4);
        Assert.Equal(LspErrorCodes.MethodNotFound, response.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Wrong_parameter_types_get_InvalidParams()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        JsonElement number = await connection.RequestAsync(LspMethods.DocumentText, new { uri = 42 }, id: 4);
        Assert.Equal(LspErrorCodes.InvalidParams, number.GetProperty("error").GetProperty("code").GetInt32());
        JsonElement missing = await connection.RequestAsync(LspMethods.DocumentText, new { }, id: 5);
        Assert.Equal(LspErrorCodes.InvalidParams, missing.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_notification_with_wrong_types_is_logged_and_ignored()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(LspFrames.Notification(LspMethods.DidOpen, new { textDocument = new { uri = "file:///a", languageId = "x", version = 1, text = "abc" } }));
        await connection.SendAsync(LspFrames.Notification(LspMethods.DidChange, new
        {
            textDocument = new { uri = "file:///a", version = "two" },
            contentChanges = new[] { new { text = "zzz" } },
        }));

        JsonElement response = await connection.RequestAsync(LspMethods.DocumentText, new { uri = "file:///a" }, id: 6);
        Assert.Equal("abc", response.GetProperty("result").GetProperty("text").GetString());
        Assert.Contains(connection.ClientLog, m => m.Contains(LspMethods.DidChange, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_message_ends_the_session_with_1()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        byte[] frame = LspFrames.Request(8, LspMethods.DocumentText, new { uri = "file:///a" });
        await connection.SendAsync(frame[..(frame.Length / 2)]);
        connection.Disconnect();
        Assert.Equal(1, await connection.WaitForExitAsync());
        Assert.Contains("middle of a message", connection.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_in_document_text_becomes_replacement_chars()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        byte[] body = [
            .. "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///u\",\"languageId\":\"x\",\"version\":1,\"text\":\"a"u8,
            0xFF,
            .. "b\"}}}"u8,
        ];
        await connection.SendAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);
        JsonElement response = await connection.RequestAsync(LspMethods.DocumentText, new { uri = "file:///u" }, id: 3);
        Assert.Equal("a\uFFFDb", response.GetProperty("result").GetProperty("text").GetString());
    }

    private static async Task AssertStillServingAsync(LspRawConnection connection)
    {
        await connection.SendAsync(LspFrames.Notification(LspMethods.DidOpen, new { textDocument = new { uri = "file:///ok", languageId = "x", version = 1, text = "fine" } }));
        JsonElement response = await connection.RequestAsync(LspMethods.DocumentText, new { uri = "file:///ok" }, id: 77);
        Assert.Equal("fine", response.GetProperty("result").GetProperty("text").GetString());
    }
}
