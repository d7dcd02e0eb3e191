using LspLlama.Core.Context;
using Xunit;

namespace LspLlama.Core.Tests.Context;

public sealed class SegmentTokensEdgeTests
{
    private readonly FakeBpeTokenizer _tok = new();

    private void AssertWhole(SegmentTokens seg) => Assert.Equal(_tok.Tokenize(seg.GetText()), seg.Tokens.ToArray());

    [Fact]
    public void EditsBetweenCrAndLf()
    {
        var seg = new SegmentTokens(_tok, "int a;\r\n    int b;\r\n    int c;\r\n");
        seg.Apply(7, 0, "x");                       // "\r" + "x" + "\n"
        AssertWhole(seg);
        seg.Apply(7, 1, "");                        // back to CRLF
        AssertWhole(seg);
        Assert.Equal("int a;\r\n    int b;\r\n    int c;\r\n", seg.GetText());
        seg.Apply(6, 2, "\n");                      // CRLF -> LF
        AssertWhole(seg);
    }

    [Fact]
    public void TokensThatSplitCharactersKeepExactByteSpans()
    {
        // " é" and " 😀" start with merged tokens that hold the space and the first byte(s) of the character.
        var seg = new SegmentTokens(_tok, "a é b 😀 c\n");
        Assert.Contains(Enumerable.Range(0, seg.Count), i => seg.StartsMidChar(i));
        int mid = Enumerable.Range(0, seg.Count).First(seg.StartsMidChar);
        Assert.Equal(seg.CharStart(mid), seg.GetText().IndexOf('é', StringComparison.Ordinal));
        Assert.Equal(3, seg.ByteStart(mid));        // "a" " \xC3" then the token from A9: inside é
        seg.Apply(3, 0, "ü");
        AssertWhole(seg);
    }

    [Fact]
    public void EditsThatSplitOrJoinSurrogatePairs()
    {
        string text = "x = \"😀\";\n";
        var seg = new SegmentTokens(_tok, text);
        int high = text.IndexOf('\uD83D', StringComparison.Ordinal);
        seg.Apply(high + 1, 0, "y");                // lone high surrogate, y, lone low surrogate
        AssertWhole(seg);
        seg.Apply(high + 1, 1, "");                 // the pair joins again
        AssertWhole(seg);
        Assert.Equal(text, seg.GetText());
    }

    [Fact]
    public void EmptyAndWholeReplacements()
    {
        var seg = new SegmentTokens(_tok, "");
        Assert.Equal(0, seg.Count);
        Assert.Equal(0, seg.Apply(0, 0, "class A {}\n"));
        AssertWhole(seg);
        Assert.Equal(0, seg.Apply(0, seg.CharLength, ""));
        Assert.Equal(0, seg.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => seg.Apply(1, 0, "x"));
    }

    [Fact]
    public void TypingAtTheEndChangesOnlyTheLastTokens()
    {
        string text = string.Concat(Enumerable.Range(0, 50).Select(i => $"line {i}\n"));
        var seg = new SegmentTokens(_tok, text);
        int count = seg.Count;
        int first = seg.Apply(text.Length, 0, "x");
        Assert.True(first >= count - 1, $"first changed {first} of {count}");
        AssertWhole(seg);
    }
}
