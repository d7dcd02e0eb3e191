using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>Cache first, model second, and what reaches the cache.</summary>
public sealed class CompletionPipelineTests
{
    [Fact]
    public void Typing_ahead_is_answered_without_syncing_the_model()
    {
        var pipeline = new CompletionPipeline(new FakeByteTokenizer(), new FakeClock(), new SuggestionCache());
        int syncs = 0;
        ITokenGenerator Sync(CancellationToken _)
        {
            syncs++;
            return ScriptedModel.PerByte("count + 1;");
        }

        CompletionAnswer Complete(string text)
        {
            CompletionRequest request = CursorText.Request(text);
            return pipeline.TryCached(request) ?? pipeline.Generate(request, new GenerationOptions(), Sync(CancellationToken.None), CancellationToken.None);
        }

        CompletionAnswer first = Complete("n = $0\n");
        CompletionAnswer typed = Complete("n = cou$0\n");
        CompletionAnswer elsewhere = Complete("m = $0\n");

        Assert.Equal(("count + 1;", (CacheHitKind?)null), (first.Suggestion, first.FromCache));
        Assert.Equal(StopReason.EndOfGeneration, first.Generation?.StopReason);
        Assert.Equal(("nt + 1;", (CacheHitKind?)CacheHitKind.TypedAhead), (typed.Suggestion, typed.FromCache));
        Assert.Null(typed.Generation);
        Assert.Null(elsewhere.FromCache);
        Assert.Equal(2, syncs);
    }

    [Fact]
    public void A_cancelled_request_leaves_the_cache_alone()
    {
        var pipeline = new CompletionPipeline(new FakeByteTokenizer(), new FakeClock(), new SuggestionCache());
        using var cancel = new CancellationTokenSource();
        var model = new ScriptedModel([.. "abc".Select(c => (int)c)]) { AfterAccept = _ => cancel.Cancel() };

        Assert.ThrowsAny<OperationCanceledException>(
            () => pipeline.Generate(CursorText.Request("n = $0\n"), new GenerationOptions(), model, cancel.Token));

        Assert.Null(pipeline.TryCached(CursorText.Request("n = $0\n")));
        CompletionAnswer again = pipeline.Generate(CursorText.Request("n = $0\n"), new GenerationOptions(), ScriptedModel.PerByte("x"), CancellationToken.None);
        Assert.Equal(("x", (CacheHitKind?)null), (again.Suggestion, again.FromCache));
    }
}
