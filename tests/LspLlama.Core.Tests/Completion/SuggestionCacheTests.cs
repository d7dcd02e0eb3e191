using LspLlama.Core.Completion;
using Xunit;

namespace LspLlama.Core.Tests.Completion;

/// <summary>The typed-ahead cache and the recent-results LRU.</summary>
public sealed class SuggestionCacheTests
{
    private const string Shown = "total(items);";

    private static SuggestionCache CacheAfterShowing(string document = "x = $0\nrest\n")
    {
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request(document), Shown);
        return cache;
    }

    [Theory]
    [InlineData("x = t$0\nrest\n", "otal(items);")]
    [InlineData("x = tota$0\nrest\n", "l(items);")]
    [InlineData("x = total(items)$0\nrest\n", ";")]
    public void Typing_the_start_of_the_suggestion_answers_the_rest(string document, string rest)
    {
        SuggestionCache cache = CacheAfterShowing();
        Assert.Equal(new CacheHit(rest, CacheHitKind.TypedAhead), cache.TryGet(CursorText.Request(document)));
    }

    [Fact]
    public void Successive_keystrokes_keep_hitting()
    {
        SuggestionCache cache = CacheAfterShowing();
        Assert.Equal("otal(items);", cache.TryGet(CursorText.Request("x = t$0\nrest\n"))?.Suggestion);
        Assert.Equal("tal(items);", cache.TryGet(CursorText.Request("x = to$0\nrest\n"))?.Suggestion);
        Assert.Equal("al(items);", cache.TryGet(CursorText.Request("x = tot$0\nrest\n"))?.Suggestion);
    }

    [Fact]
    public void Typing_a_new_line_with_its_indentation_hits_a_multi_line_suggestion()
    {
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request("if (x) {$0\n"), "\n    run();\n}");
        Assert.Equal("run();\n}", cache.TryGet(CursorText.Request("if (x) {\n    $0\n"))?.Suggestion);
    }

    [Fact]
    public void A_bracket_the_editor_auto_closed_is_not_inserted_twice()
    {
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request("return $0\n"), "total(items)");
        Assert.Equal("items)", cache.TryGet(CursorText.Request("return total($0\n"))?.Suggestion);
        Assert.Equal("items", cache.TryGet(CursorText.Request("return total($0)\n"))?.Suggestion);

        var braces = new SuggestionCache();
        braces.Remember(CursorText.Request("if (x) $0\n"), "{\n    run();\n}");
        Assert.Equal("\n    run();", braces.TryGet(CursorText.Request("if (x) {$0}\n"))?.Suggestion);
    }

    [Fact]
    public void An_auto_closed_bracket_the_suggestion_does_not_end_with_misses()
    {
        // Inserting at the cursor cannot put "b" after the existing ")": the model must answer.
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request("x = $0\n"), "f(a).b");
        Assert.Null(cache.TryGet(CursorText.Request("x = f($0)\n")));

        SuggestionCache statement = CacheAfterShowing();
        Assert.Null(statement.TryGet(CursorText.Request("x = total($0)\nrest\n")));
    }

    [Theory]
    [InlineData("diverged from the suggestion", "x = tx$0\nrest\n")]
    [InlineData("suffix changed", "x = t$0 y\nrest\n")]
    [InlineData("auto-closed bracket but the text diverged", "x = tx($0)\nrest\n")]
    [InlineData("document changed before the cursor", "y = t$0\nrest\n")]
    [InlineData("document changed after the cursor", "x = t$0\nrest!\n")]
    [InlineData("the whole suggestion typed", "x = total(items);$0\nrest\n")]
    [InlineData("cursor moved back", "x =$0 \nrest\n")]
    public void Other_requests_miss_and_drop_the_shown_suggestion(string why, string document)
    {
        SuggestionCache cache = CacheAfterShowing();

        Assert.True(cache.TryGet(CursorText.Request(document)) is null, why);

        // The entry is gone: typing the suggestion now misses too.
        Assert.True(cache.TryGet(CursorText.Request("x = t$0\nrest\n")) is null, why);
    }

    [Fact]
    public void Another_document_misses_and_keeps_the_shown_suggestion()
    {
        SuggestionCache cache = CacheAfterShowing();

        Assert.Null(cache.TryGet(CursorText.Request("x = t$0\nrest\n", "file:///other")));
        Assert.NotNull(cache.TryGet(CursorText.Request("x = t$0\nrest\n")));
    }

    [Fact]
    public void No_suggestion_from_the_model_clears_the_shown_one()
    {
        SuggestionCache cache = CacheAfterShowing();
        cache.Remember(CursorText.Request("x = $0\nrest\n"), null);
        Assert.Null(cache.TryGet(CursorText.Request("x = t$0\nrest\n")));
    }

    [Fact]
    public void Recent_results_answer_a_request_seen_before()
    {
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request("a = $0\n"), "1");
        cache.Remember(CursorText.Request("b = $0\n"), "2");

        // Back to the first position: not typed ahead (the prefix is not an extension), but recent.
        Assert.Equal(new CacheHit("1", CacheHitKind.Recent), cache.TryGet(CursorText.Request("a = $0\n")));
        Assert.Null(cache.TryGet(CursorText.Request("c = $0\n")));
    }

    [Fact]
    public void A_recent_result_shown_again_can_be_typed_ahead()
    {
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request("a = $0\n"), "first()");
        cache.Remember(CursorText.Request("b = $0\n"), "second()");

        Assert.Equal(CacheHitKind.Recent, cache.TryGet(CursorText.Request("a = $0\n"))?.Kind);
        Assert.Equal(new CacheHit("rst()", CacheHitKind.TypedAhead), cache.TryGet(CursorText.Request("a = fi$0\n")));
    }

    [Fact]
    public void Recent_results_evict_the_least_recently_used()
    {
        var cache = new SuggestionCache(capacity: 2);
        cache.Remember(CursorText.Request("a = $0\n"), "1");
        cache.Remember(CursorText.Request("b = $0\n"), "2");
        Assert.NotNull(cache.TryGet(CursorText.Request("a = $0\n")));
        cache.Remember(CursorText.Request("c = $0\n"), "3");

        Assert.Equal(2, cache.RecentCount);
        Assert.Null(cache.TryGet(CursorText.Request("b = $0\n")));
        Assert.Equal("1", cache.TryGet(CursorText.Request("a = $0\n"))?.Suggestion);
        Assert.Equal("3", cache.TryGet(CursorText.Request("c = $0\n"))?.Suggestion);
    }

    [Fact]
    public void Forget_drops_a_document()
    {
        var cache = new SuggestionCache();
        cache.Remember(CursorText.Request("a = $0\n", "file:///one"), "1");
        cache.Remember(CursorText.Request("a = $0\n", "file:///two"), "2");

        cache.Forget("file:///one");

        Assert.Null(cache.TryGet(CursorText.Request("a = $0\n", "file:///one")));
        Assert.Equal("2", cache.TryGet(CursorText.Request("a = $0\n", "file:///two"))?.Suggestion);
        Assert.Equal(1, cache.RecentCount);
    }

    [Fact]
    public void A_change_in_another_document_drops_its_suggestions_but_keeps_the_changed_documents()
    {
        var cache = new SuggestionCache();
        CompletionRequest inA = CursorText.Request("x = $0\nrest\n", "file:///a");
        CompletionRequest inB = CursorText.Request("y = $0\n", "file:///b");
        cache.Remember(inA, Shown);
        cache.Remember(inB, "other();");

        cache.ForgetOthers("file:///b");

        Assert.Null(cache.TryGet(CursorText.Request("x = $0\nrest\n", "file:///a")));
        Assert.Null(cache.TryGet(CursorText.Request("x = t$0\nrest\n", "file:///a")));
        Assert.Equal("other();", cache.TryGet(CursorText.Request("y = $0\n", "file:///b"))?.Suggestion);
    }

    [Theory]
    [InlineData("nothing else changed", -1, true)]
    [InlineData("a char changed far before the cursor", 100, false)]
    [InlineData("a char changed far after the cursor", 2_900_000, false)]
    [InlineData("a char changed just before the cursor's window", 1_500_000 - 5000, false)]
    public void In_a_large_document_only_the_text_near_the_cursor_is_kept_and_an_edit_anywhere_still_misses(string why, int changedAt, bool hits)
    {
        // 3 MB: the requests keep a few thousand chars next to the cursor and hashes of the rest.
        string document = string.Concat(Enumerable.Repeat("int value = Compute(1);\n", 3_000_000 / 24));
        int cursor = 1_500_000;
        var cache = new SuggestionCache();
        CompletionRequest shown = new("file:///big", document[..cursor], document[cursor..]);
        Assert.True(shown.Text.Tail.Length < 3 * TextAroundCursor.Block && shown.Text.Head.Length < 3 * TextAroundCursor.Block);
        cache.Remember(shown, Shown);

        string typed = document.Insert(cursor, "tot");
        if (changedAt >= 0)
        {
            int at = changedAt < cursor ? changedAt : changedAt + 3;
            typed = typed[..at] + (typed[at] == 'x' ? 'y' : 'x') + typed[(at + 1)..];
        }

        CacheHit? hit = cache.TryGet(new CompletionRequest("file:///big", typed[..(cursor + 3)], typed[(cursor + 3)..]));
        Assert.True((hit is not null) == hits, why);
        Assert.True(!hits || hit?.Suggestion == "al(items);", why);
    }
}
