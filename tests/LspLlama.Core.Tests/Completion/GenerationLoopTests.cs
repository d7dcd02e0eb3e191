using System.Text;
using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>The generation loop: bytes to text, end-of-generation, limits, cancellation, what gets decoded.</summary>
public sealed class GenerationLoopTests
{
    private static readonly CompletionRequest s_endOfLine = CursorText.Request("let s = $0\n");

    [Fact]
    public void Characters_split_across_tokens_come_out_whole()
    {
        const string output = "\"é → 日本 🦙\"";
        var tokenizer = new FakeByteTokenizer();
        byte[] bytes = Encoding.UTF8.GetBytes(output);

        // Every possible split of every character: one byte per token, and pieces of 2, 3, 5 bytes.
        foreach (int chunk in new[] { 1, 2, 3, 5 })
        {
            var model = new ScriptedModel([.. bytes.Chunk(chunk).Select(tokenizer.AddPiece)]);
            GenerationResult result = Generate(tokenizer, s_endOfLine, model);
            Assert.Equal(output, result.Text);
            Assert.DoesNotContain('\uFFFD', result.Text);
        }
    }

    [Fact]
    public void A_character_cut_by_the_token_limit_is_dropped_not_mangled()
    {
        // "日" is three bytes: the limit falls after its second byte.
        var model = ScriptedModel.PerByte("ab日c");
        GenerationResult result = Generate(new FakeByteTokenizer(), s_endOfLine, model, new GenerationOptions { MaxTokens = 4 });

        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal("ab", result.Text);
        Assert.Equal(4, result.Tokens);
    }

    [Theory]
    [InlineData(FakeByteTokenizer.Eos)]
    [InlineData(FakeByteTokenizer.FimPad)]
    [InlineData(FakeByteTokenizer.FileSeparator)]
    [InlineData(FakeByteTokenizer.FimPrefix)]
    [InlineData(FakeByteTokenizer.FimMiddle)]
    [InlineData(FakeByteTokenizer.Bos)]
    public void End_of_generation_tokens_stop_and_are_not_decoded(int endToken)
    {
        var model = new ScriptedModel([(int)'o', (int)'k', endToken, (int)'x', (int)'y']);
        GenerationResult result = Generate(new FakeByteTokenizer(), s_endOfLine, model);

        Assert.Equal(StopReason.EndOfGeneration, result.StopReason);
        Assert.Equal("ok", result.Suggestion);
        Assert.Equal(3, model.Sampled);
        Assert.Equal([(int)'o', (int)'k'], model.Accepted);
    }

    [Fact]
    public void The_token_limit_stops_without_decoding_the_last_token()
    {
        var model = ScriptedModel.PerByte("abcdefghij");
        GenerationResult result = Generate(new FakeByteTokenizer(), s_endOfLine, model, new GenerationOptions { MaxTokens = 5 });

        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal("abcde", result.Suggestion);
        Assert.Equal(5, result.Tokens);
        Assert.Equal(4, result.AcceptedTokens);
        Assert.Equal(4, model.Accepted.Count);
    }

    [Fact]
    public void A_limit_drops_the_unfinished_last_line_of_several()
    {
        CompletionRequest request = CursorText.Request("def f():\n    $0\n");
        var model = ScriptedModel.PerByte("a = 1\n    b = compute(");
        GenerationResult result = Generate(new FakeByteTokenizer(), request, model, new GenerationOptions { MaxTokens = 18 });

        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal("a = 1", result.Suggestion);
    }

    [Fact]
    public void The_time_budget_stops_on_the_injected_clock()
    {
        var clock = new FakeClock();
        var model = ScriptedModel.PerByte("abcdefghij", clock, TimeSpan.FromMilliseconds(100));
        var generator = new CompletionGenerator(new FakeByteTokenizer(), clock);

        GenerationResult result = generator.Generate(
            s_endOfLine, new GenerationOptions { TimeBudget = TimeSpan.FromMilliseconds(350) }, model, CancellationToken.None);

        // After the fourth sample 400 ms have passed, over the 350 ms budget.
        Assert.Equal(StopReason.TimeBudget, result.StopReason);
        Assert.Equal("abcd", result.Suggestion);
        Assert.Equal(TimeSpan.FromMilliseconds(400), result.Elapsed);
    }

    [Fact]
    public void Cancellation_during_a_decode_stops_before_the_next_sample()
    {
        using var cancel = new CancellationTokenSource();
        var model = new ScriptedModel([.. "abcdefghij".Select(c => (int)c)])
        {
            AfterAccept = accepted =>
            {
                if (accepted == 3)
                {
                    cancel.Cancel();
                }
            },
        };
        var generator = new CompletionGenerator(new FakeByteTokenizer(), new FakeClock());

        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate(s_endOfLine, new GenerationOptions(), model, cancel.Token));

        // The fourth sample would have come after the cancel; it did not.
        Assert.Equal(3, model.Sampled);
    }

    [Fact]
    public void A_stop_rule_inside_a_token_cuts_the_text_there_and_skips_decoding_it()
    {
        var tokenizer = new FakeByteTokenizer();
        CompletionRequest request = CursorText.Request("x = max($0, limit)\n");
        int[] script = [tokenizer.AddPiece("a"u8.ToArray()), tokenizer.AddPiece("b\nmore"u8.ToArray()), (int)'z'];
        var model = new ScriptedModel(script);

        GenerationResult result = Generate(tokenizer, request, model);

        Assert.Equal(StopReason.SingleLine, result.StopReason);
        Assert.Equal("ab", result.Suggestion);
        Assert.Equal(2, result.Tokens);
        Assert.Equal([script[0]], model.Accepted);
    }

    [Fact]
    public void Options_out_of_range_are_reported_by_name()
    {
        Assert.Contains("maxTokens", Assert.Throws<ArgumentException>(() => new GenerationOptions { MaxTokens = 0 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("timeBudget", Assert.Throws<ArgumentException>(() => new GenerationOptions { TimeBudget = TimeSpan.Zero }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("topP", Assert.Throws<ArgumentException>(() => new GenerationOptions { Sampling = new SamplingOptions(0.7f, 40, 0) }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("temperature", Assert.Throws<ArgumentException>(() => new SamplingOptions(-1).Validate()).Message, StringComparison.Ordinal);
        new GenerationOptions { Sampling = new SamplingOptions(0.2f, 20, 0.9f, 7) }.Validate();
        Assert.True(SamplingOptions.Greedy.IsGreedy);
        Assert.False(new SamplingOptions(0.2f).IsGreedy);
    }

    private static GenerationResult Generate(
        FakeByteTokenizer tokenizer, CompletionRequest request, ScriptedModel model, GenerationOptions? options = null) =>
        new CompletionGenerator(tokenizer, new FakeClock()).Generate(request, options ?? new GenerationOptions(), model, CancellationToken.None);
}
