using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Core.Tests.Bench;

public sealed class TracePlaybackTests
{
    private const string Uri = "file:///a.cs";

    private static EditTrace Trace(params TraceEvent[] events) =>
        new(new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Recorded, "/w", TraceHeader.Utf16, null), events);

    private static TraceEdit Insert(int version, int line, int ch, string text) =>
        new(Uri, version, [new TraceChange(TraceRange.At(new TracePosition(line, ch)), text)]);

    [Fact]
    public void A_valid_session_plays_to_the_expected_text()
    {
        TracePlayback p = new();
        Assert.Null(p.TryApply(new TraceOpen(Uri, "csharp", 1, "ab\n")));
        Assert.Null(p.TryApply(Insert(2, 0, 1, "X")));
        Assert.Null(p.TryApply(new TraceEdit(Uri, 3, [new TraceChange(TraceRange.At(new(1, 0)), "c"), new TraceChange(new TraceRange(new(0, 0), new(0, 1)), "")])));
        Assert.Null(p.TryApply(new TraceCompletion(Uri, new TracePosition(1, 1))));
        Assert.Equal("Xb\nc", p.TextOf(Uri));
        Assert.Equal(Uri, p.ActiveUri);
    }

    [Fact]
    public void Invalid_events_are_reported_with_their_index_and_change_nothing()
    {
        EditTrace trace = Trace(
            Insert(2, 0, 0, "x"),
            new TraceOpen(Uri, "csharp", 1, "ab"),
            Insert(1, 0, 0, "x"),
            new TraceEdit(Uri, 2, [new TraceChange(TraceRange.At(new(0, 1)), "1"), new TraceChange(TraceRange.At(new(5, 0)), "2")]),
            new TraceCompletion(Uri, new TracePosition(0, 3)),
            new TraceFocus("file:///other.cs", new TracePosition(0, 0)),
            new TraceOpen(Uri, "csharp", 3, "again"),
            new TraceClose(Uri),
            new TraceClose(Uri));

        IReadOnlyList<string> problems = TracePlayback.Validate(trace);
        Assert.Equal(7, problems.Count);
        Assert.StartsWith("event 1 ", problems[0], StringComparison.Ordinal);
        Assert.Contains("not open", problems[0], StringComparison.Ordinal);
        Assert.Contains("version 1 does not follow 1", problems[1], StringComparison.Ordinal);
        Assert.Contains("line 5", problems[2], StringComparison.Ordinal);
        Assert.Contains("past the end", problems[3], StringComparison.Ordinal);
        Assert.Contains("already open", problems[5], StringComparison.Ordinal);
        Assert.StartsWith("event 9 ", problems[6], StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejected_multi_change_edit_leaves_the_text_as_it_was()
    {
        TracePlayback p = new();
        p.TryApply(new TraceOpen(Uri, "csharp", 1, "ab"));
        Assert.NotNull(p.TryApply(new TraceEdit(Uri, 2, [new TraceChange(TraceRange.At(new(0, 0)), "z"), new TraceChange(TraceRange.At(new(3, 0)), "")])));
        Assert.Equal("ab", p.TextOf(Uri));

        // The version was not taken either: version 2 is still free.
        Assert.Null(p.TryApply(Insert(2, 0, 2, "c")));
        Assert.Equal("abc", p.TextOf(Uri));
    }
}
