using System.Diagnostics;
using LspLlama.Protocol;
using LspLlama.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace LspLlama.Tests.Engine;

/// <summary>Minified JavaScript and generated files: one line of megabytes, answered like any other.</summary>
public sealed class LongLineProtocolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Completions_in_a_single_line_file_of_megabytes_are_answered_in_time()
    {
        // The first request pays for tokenizing the document once (linear, about a second per
        // megabyte on the tiny model); post-processing and the suffix window look at a window of
        // the line, so a request elsewhere on it costs what it costs on a short line. Before,
        // post-processing alone cost the square of the text right of the cursor: hours here.
        const string uri = "file:///work/bundle.min.js";
        const string piece = "var q=function(e,t){return e+t};";
        string line = string.Concat(Enumerable.Repeat(piece, (2 * 1024 * 1024) / piece.Length));

        await using EngineClient client = new();
        await client.StartWithModelAsync(EngineClient.Settings(TinyModels.Get(TinyArch.Llama), maxTokens: 16));
        await client.OpenAsync(uri, line);

        var watch = Stopwatch.StartNew();
        await client.InlineAsync(uri, 0, 500);
        TimeSpan first = watch.Elapsed;
        watch.Restart();
        await client.InlineAsync(uri, 0, 40_000);
        TimeSpan second = watch.Elapsed;
        output.WriteLine($"2 MB line: first completion {first.TotalMilliseconds:F0} ms, then {second.TotalMilliseconds:F0} ms");

        Assert.True(first < TimeSpan.FromSeconds(30), $"the first completion took {first}");
        Assert.True(second < TimeSpan.FromSeconds(5), $"a completion elsewhere on the line took {second}");
        Assert.Equal(2, (await client.StatusAsync()).GetProperty("completions").GetInt32());
    }
}
