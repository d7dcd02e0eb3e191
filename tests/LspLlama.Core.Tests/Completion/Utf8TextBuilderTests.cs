using System.Text;
using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>Token bytes become clean text: whole characters only, no invalid bytes, no control characters.</summary>
public sealed class Utf8TextBuilderTests
{
    [Fact]
    public void A_character_split_over_tokens_shows_only_when_complete()
    {
        byte[] smile = Encoding.UTF8.GetBytes("😀");
        var text = new Utf8TextBuilder();
        text.Append(Encoding.UTF8.GetBytes("a"));
        text.Append(smile.AsSpan(0, 2));
        Assert.Equal("a", text.ToString());
        text.Append(smile.AsSpan(2));
        Assert.Equal("a😀", text.ToString());
    }

    [Fact]
    public void An_incomplete_sequence_at_the_end_is_held_back()
    {
        var text = new Utf8TextBuilder();
        text.Append([.. Encoding.UTF8.GetBytes("x = "), 0xC3]);
        Assert.Equal("x = ", text.ToString());
    }

    [Fact]
    public void Invalid_bytes_and_a_generated_replacement_character_are_left_out()
    {
        var text = new Utf8TextBuilder();
        text.Append([(byte)'a', 0xFF, (byte)'b', 0x80, (byte)'c']);
        text.Append(Encoding.UTF8.GetBytes("d\uFFFDe"));
        text.Append([0xE2, 0x82, (byte)'f']); // a sequence cut short by an ASCII byte
        Assert.Equal("abcdef", text.ToString());
    }

    [Fact]
    public void Control_characters_other_than_tab_and_newline_are_left_out()
    {
        var text = new Utf8TextBuilder();
        text.Append(Encoding.UTF8.GetBytes("if (x)\r\n\tgo();\u0007\u001b[0m\u007f\u0085 done\0"));
        Assert.Equal("if (x)\n\tgo();[0m done", text.ToString());
    }
}
