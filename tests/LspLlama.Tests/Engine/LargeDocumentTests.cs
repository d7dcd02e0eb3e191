using System.Text;
using System.Text.Json;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>
/// A 20 MB minified file through the protocol with a real model and tokenizer: the plan holds a
/// slice of it around the cursor, a keystroke decodes a few tokens, and an edit far from the
/// cursor costs nothing until the cursor goes there.
/// </summary>
public sealed class LargeDocumentTests
{
    private const string Uri = "file:///ws/bundle.min.js";

    [Fact]
    public async Task Completions_on_a_20_MB_line_decode_what_changed_and_see_edits_far_away()
    {
        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.GraniteHybrid), contextSize: 2048, batchSize: 256));
        const string piece = "var q=function(e,t){return e+t};if(n&&n.x)return n.y;";
        var text = new StringBuilder();
        while (text.Length < 20_000_000)
        {
            text.Append(piece);
        }

        int middle = text.Length / 2 / piece.Length * piece.Length;
        await client.OpenAsync(Uri, text.ToString());
        await client.InlineAsync(Uri, 0, middle);
        JsonElement first = (await client.StatusAsync()).GetProperty("lastSync");
        Assert.InRange(first.GetProperty("desiredTokens").GetInt32(), 256, 2048);

        // Typing at the cursor: the tokens after the middle marker, not the prefix again.
        int version = 1;
        foreach (char c in "if(a)")
        {
            await client.InsertAsync(Uri, ++version, 0, middle++, c.ToString());
            await client.InlineAsync(Uri, 0, middle);
            JsonElement sync = (await client.StatusAsync()).GetProperty("lastSync");
            Assert.True(sync.GetProperty("decodedTokens").GetInt32() < 64, $"typing '{c}' decoded {sync}");
        }

        // An edit 10 MB before the cursor leaves the prompt as it is.
        await client.InsertAsync(Uri, ++version, 0, 10, "/*far*/");
        middle += 7;
        await client.InlineAsync(Uri, 0, middle);
        JsonElement after = (await client.StatusAsync()).GetProperty("lastSync");
        Assert.True(after.GetProperty("decodedTokens").GetInt32() < 64, $"an edit far away decoded {after}");

        // The cursor goes there: the slice and the window follow it, and the prompt is laid out anew.
        await client.InlineAsync(Uri, 0, 17);
        JsonElement there = (await client.StatusAsync()).GetProperty("lastSync");
        Assert.True(there.GetProperty("decodedTokens").GetInt32() > 64, $"a jump to the edit decoded only {there}");
    }
}
