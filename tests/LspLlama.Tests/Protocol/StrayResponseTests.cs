using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Protocol;

/// <summary>Responses the server never asked for are logged and ignored; the session goes on.</summary>
public sealed class StrayResponseTests
{
    [Fact]
    public async Task A_response_to_an_id_the_server_never_sent_is_ignored()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync();
        await connection.SendAsync(LspFrames.Frame("""{"jsonrpc":"2.0","id":99,"result":null}"""));
        await connection.SendAsync(LspFrames.Frame("""{"jsonrpc":"2.0","id":"x","error":{"code":-32603,"message":"?"}}"""));

        JsonElement status = await connection.RequestAsync(LspMethods.Status, null, id: 7);
        Assert.True(status.TryGetProperty("result", out _), status.ToString());
        Assert.False(connection.Exited.IsCompleted);
        Assert.Contains("Ignored a response to id 99", connection.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_answer_to_workspace_configuration_is_ignored()
    {
        await using LspRawConnection connection = new();
        await connection.InitializeAsync(new { workspace = new { configuration = true } });
        await connection.SendAsync(LspFrames.Notification(LspMethods.Initialized, new { }));
        JsonElement pull = await connection.ReadServerRequestAsync(LspMethods.Configuration);
        string id = pull.GetProperty("id").GetRawText();
        string answer = """{"jsonrpc":"2.0","id":ID,"result":[{"log":{"level":"debug"}}]}""".Replace("ID", id, StringComparison.Ordinal);
        await connection.SendAsync(LspFrames.Frame(answer));
        await connection.SendAsync(LspFrames.Frame(answer));

        JsonElement status = await connection.RequestAsync(LspMethods.Status, null, id: 8);
        Assert.True(status.TryGetProperty("result", out _), status.ToString());
        Assert.False(connection.Exited.IsCompleted);
        Assert.Contains($"Ignored a response to id {id}", connection.Log.ToString(), StringComparison.Ordinal);
    }
}
