using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

public sealed class LogitSamplerTests
{
    private static readonly float[] s_logits = [0.1f, 2.5f, -1f, 2.4f, 0.3f, 1.9f];

    [Fact]
    public void Greedy_picks_the_most_likely_token()
    {
        Assert.Equal(1, new LogitSampler(SamplingOptions.Greedy).Pick(s_logits));
    }

    [Fact]
    public void The_same_seed_repeats_the_same_choices()
    {
        var options = new SamplingOptions(Temperature: 1.5f, TopK: 0, TopP: 1, Seed: 7);
        int[] first = Draw(new LogitSampler(options), 50);
        int[] second = Draw(new LogitSampler(options), 50);
        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 1, "a high temperature should not always pick the same token");
    }

    [Fact]
    public void Top_k_keeps_only_the_k_most_likely_tokens()
    {
        var sampler = new LogitSampler(new SamplingOptions(Temperature: 5, TopK: 2, TopP: 1, Seed: 1));
        Assert.All(Draw(sampler, 200), token => Assert.Contains(token, new[] { 1, 3 }));
    }

    [Fact]
    public void A_tiny_top_p_keeps_only_the_most_likely_token()
    {
        var sampler = new LogitSampler(new SamplingOptions(Temperature: 5, TopK: 0, TopP: 0.01f, Seed: 1));
        Assert.All(Draw(sampler, 100), token => Assert.Equal(1, token));
    }

    [Fact]
    public void No_logits_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => new LogitSampler(SamplingOptions.Greedy).Pick([]));
    }

    private static int[] Draw(LogitSampler sampler, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => sampler.Pick(s_logits))];
}
