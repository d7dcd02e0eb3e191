using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Core.Tests.Bench;

public sealed class TraceTextTests
{
    [Fact]
    public void Lines_end_at_lf_crlf_and_lone_cr()
    {
        TraceText t = new("a\r\nbc\rd\n\ne");
        Assert.Equal(5, t.LineCount);
        Assert.Equal(["a", "bc", "d", "", "e"], Enumerable.Range(0, 5).Select(t.Line));
        Assert.Equal(new TracePosition(4, 1), t.End);
    }

    [Fact]
    public void Offsets_count_utf16_units_and_refuse_to_split_a_surrogate_pair()
    {
        TraceText t = new("x\U0001F600y\n");
        Assert.Equal(3, t.Offset(new TracePosition(0, 3)));
        Assert.False(t.TryOffset(new TracePosition(0, 2), out _, out string? error));
        Assert.Contains("splits", error, StringComparison.Ordinal);
        Assert.False(t.TryOffset(new TracePosition(0, 5), out _, out error));
        Assert.Contains("past the end", error, StringComparison.Ordinal);
        Assert.False(t.TryOffset(new TracePosition(2, 0), out _, out _));
        Assert.Equal(new TracePosition(1, 0), t.PositionOf(5));
    }

    [Fact]
    public void Utf8_positions_count_bytes()
    {
        TraceText t = new("é\U0001F600z", TraceHeader.Utf8);
        Assert.Equal(3, t.Offset(new TracePosition(0, 6)));
        Assert.Equal(new TracePosition(0, 7), t.End);
        Assert.False(t.TryOffset(new TracePosition(0, 1), out _, out _));
    }

    [Fact]
    public void Apply_replaces_a_range_and_a_null_range_replaces_everything()
    {
        TraceText t = new("hello\r\nworld");
        t.Apply(new TraceChange(new TraceRange(new(0, 5), new(1, 0)), " "));
        Assert.Equal("hello world", t.Text);
        t.Apply(new TraceChange(null, "new"));
        Assert.Equal("new", t.Text);
        Assert.Throws<ArgumentException>(() => t.Apply(new TraceChange(new TraceRange(new(0, 2), new(0, 1)), "")));
        Assert.Throws<ArgumentException>(() => t.Apply(new TraceChange(new TraceRange(new(0, 0), new(0, 9)), "")));
        Assert.Equal("new", t.Text);
    }

    [Fact]
    public void A_position_inside_a_crlf_maps_to_the_end_of_its_line()
    {
        TraceText t = new("ab\r\ncd");
        Assert.Equal(new TracePosition(0, 2), t.PositionOf(3));
        Assert.Equal(new TracePosition(1, 0), t.PositionOf(4));
    }
}
