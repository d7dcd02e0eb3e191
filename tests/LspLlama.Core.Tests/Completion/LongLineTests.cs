using System.Diagnostics;
using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>
/// A minified or generated file has one line of megabytes: the rules look at a window of it, so a
/// completion there costs what it costs on a short line, in time and in memory.
/// </summary>
public sealed class LongLineTests
{
    private const int Megabytes20 = 20 * 1024 * 1024;

    [Fact]
    public void A_suggestion_on_a_20_MB_line_is_post_processed_in_bounded_time_and_memory()
    {
        string line = MinifiedLine(Megabytes20);
        (string prefix, string suffix) = (line[..500], line[500..]);
        var tokenizer = new FakeByteTokenizer();
        var model = ScriptedModel.PerByte("a=1;b=2;c=3;" + suffix[..60]);
        var generator = new CompletionGenerator(tokenizer, TimeProvider.System);

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var request = new CompletionRequest("file:///min.js", prefix, suffix);
        GenerationResult result = generator.Generate(request, new GenerationOptions { MaxTokens = 72 }, model, CancellationToken.None);
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        // The end of the suggestion that repeats the text right of the cursor is still dropped.
        Assert.Equal("a=1;b=2;c=3;", result.Suggestion);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"post-processing took {watch.Elapsed}");
        Assert.True(allocated < 8 * 1024 * 1024, $"generation allocated {allocated} bytes for a {Megabytes20}-char line");
    }

    [Fact]
    public void The_cursor_line_keeps_windows_of_a_long_line_and_its_indentation()
    {
        string line = "\t\t" + MinifiedLine(3 * CursorLine.LineWindow);
        int at = 2 * CursorLine.LineWindow;
        CursorLine cursor = CursorLine.From("first\n" + line[..at], line[at..] + "\n" + line + "\nshort");

        Assert.Equal("\t\t" + line[(at - CursorLine.LineWindow)..at], cursor.Before);
        Assert.Equal(8, CursorLine.IndentWidth(cursor.Before, 4));
        Assert.Equal(line[at..(at + CursorLine.LineWindow)], cursor.After);
        Assert.True(cursor.IsMidLine);
        Assert.Equal(CursorLine.LineWindow, cursor.NextLines[0].Length);

        // A cut line cannot be compared with a generated one, so it is not the next line to compare with.
        Assert.Null(cursor.NextNonBlankLine);
    }

    [Theory]
    [InlineData("foo(a, b)", ")", new[] { 1 })]
    [InlineData("xaaa", "aaab", new[] { 3, 2, 1 })]
    [InlineData("abcab", "abcabd", new[] { 5, 2 })]
    [InlineData("abc", "d", new int[0])]
    [InlineData("", "x", new int[0])]
    public void Ends_of_the_suggestion_that_repeat_the_start_of_the_line_are_found_longest_first(string text, string after, int[] lengths)
    {
        Assert.Equal(lengths, SuggestionCleanup.EndsRepeatingStart(text, after).ToArray());
    }

    [Fact]
    public void Post_processing_stops_when_the_request_is_cancelled()
    {
        CursorLine cursor = CursorText.Request("x = f($0)\n").Cursor;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => SuggestionCleanup.Clean("a)", cursor, cancelled.Token));
    }

    private static string MinifiedLine(int length)
    {
        const string piece = "var q=function(e,t){return e+t};";
        return string.Create(length, piece, (span, p) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = p[i % p.Length];
            }
        });
    }
}
