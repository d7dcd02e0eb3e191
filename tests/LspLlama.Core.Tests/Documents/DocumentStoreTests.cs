using LspLlama.Core.Documents;
using Xunit;

namespace LspLlama.Core.Tests.Documents;

public sealed class DocumentStoreTests
{
    private const string Uri = "file:///a.cs";
    private readonly DocumentStore _store = new();
    private readonly RecordingObserver _observer = new();

    public DocumentStoreTests() => _store.Subscribe(_observer);

    [Fact]
    public void Applies_several_changes_in_order_and_reports_each_as_char_offsets()
    {
        _store.Open(Uri, "csharp", 1, "hello\nworld\n");
        DocumentUpdate update = _store.Change(Uri, 2, [Edit(0, 0, 0, 5, "bye"), Edit(1, 0, 1, 5, "all")], PositionEncoding.Utf16);

        Assert.True(update.Applied);
        Assert.Empty(update.Warnings);
        Assert.Equal("bye\nall\n", _store.Find(Uri)!.GetText());
        Assert.Equal(2, _store.Find(Uri)!.Version);
        Assert.Equal(
            ["open 1 hello\nworld\n", "edit 2 0-5 bye", "edit 2 4-9 all"],
            _observer.Events);
    }

    [Fact]
    public void Joins_and_splits_crlf_across_edits()
    {
        _store.Open(Uri, "x", 1, "a\rb");
        TextDocument document = _store.Find(Uri)!;
        Assert.Equal(2, document.LineCount);

        // Inserting LF right after the CR turns two terminators into one CRLF.
        _store.Change(Uri, 2, [Edit(1, 0, 1, 0, "\n")], PositionEncoding.Utf16);
        Assert.Equal("a\r\nb", document.GetText());
        Assert.Equal(2, document.LineCount);
        Assert.Equal(3, document.LineStart(1));

        // Putting text between CR and LF leaves a lone CR and an LF: three lines.
        _store.Change(Uri, 3, [Edit(0, 1, 1, 0, "\rx\n")], PositionEncoding.Utf16);
        Assert.Equal("a\rx\nb", document.GetText());
        Assert.Equal([0, 2, 4], Enumerable.Range(0, document.LineCount).Select(document.LineStart));

        // Deleting that text joins them into one CRLF again.
        _store.Change(Uri, 4, [Edit(1, 0, 1, 1, string.Empty)], PositionEncoding.Utf16);
        Assert.Equal("a\r\nb", document.GetText());
        Assert.Equal([0, 3], Enumerable.Range(0, document.LineCount).Select(document.LineStart));
    }

    [Fact]
    public void A_change_to_an_unopened_document_is_not_applied()
    {
        DocumentUpdate update = _store.Change("file:///nope", 1, [DocumentChange.Full("x")], PositionEncoding.Utf16);
        Assert.False(update.Applied);
        Assert.Null(_store.Find("file:///nope"));
        Assert.Empty(_observer.Events);
    }

    [Fact]
    public void A_range_with_start_after_end_is_swapped_with_a_warning()
    {
        _store.Open(Uri, "x", 1, "abcdef");
        DocumentUpdate update = _store.Change(Uri, 2, [Edit(0, 4, 0, 1, "-")], PositionEncoding.Utf16);
        Assert.Equal("a-ef", _store.Find(Uri)!.GetText());
        Assert.Contains(update.Warnings, w => w.Contains("swapped", StringComparison.Ordinal));
    }

    [Fact]
    public void Ranges_past_the_end_are_clamped_with_a_warning()
    {
        _store.Open(Uri, "x", 1, "ab\ncd");
        DocumentUpdate update = _store.Change(Uri, 2, [Edit(0, 10, 0, 12, "X"), Edit(7, 0, 9, 9, "!")], PositionEncoding.Utf16);
        Assert.Equal("abX\ncd!", _store.Find(Uri)!.GetText());
        Assert.Contains(update.Warnings, w => w.Contains(nameof(PositionAdjustment.PastEndOfLine), StringComparison.Ordinal));
        Assert.Contains(update.Warnings, w => w.Contains(nameof(PositionAdjustment.PastEndOfDocument), StringComparison.Ordinal));
    }

    [Fact]
    public void A_version_that_goes_back_is_applied_with_a_warning()
    {
        _store.Open(Uri, "x", 5, "a");
        DocumentUpdate update = _store.Change(Uri, 3, [DocumentChange.Full("b")], PositionEncoding.Utf16);
        Assert.Equal(("b", 3), _store.Find(Uri)!.Snapshot());
        Assert.Contains(update.Warnings, w => w.Contains("not newer", StringComparison.Ordinal));
    }

    [Fact]
    public void Lone_surrogates_become_replacement_chars_of_the_same_length()
    {
        _store.Open(Uri, "x", 1, "a\uD800b");
        Assert.Equal("a\uFFFDb", _store.Find(Uri)!.GetText());

        // Deleting the low half of a pair leaves the high half alone: it is repaired, and the
        // observer sees an edit that covers the repaired char, so replaying edits gives the same text.
        _store.Change(Uri, 2, [DocumentChange.Full("x\U0001F600y")], PositionEncoding.Utf16);
        _store.Change(Uri, 3, [Edit(0, 2, 0, 3, string.Empty)], PositionEncoding.Utf16);
        Assert.Equal("x\uFFFDy", _store.Find(Uri)!.GetText());
        Assert.Equal("edit 3 1-3 \uFFFD", _observer.Events[^1]);
        Assert.Equal(_store.Find(Uri)!.GetText(), _observer.Replay(Uri));
    }

    [Fact]
    public void Reopen_and_close_are_reported()
    {
        _store.Open(Uri, "x", 1, "a");
        DocumentUpdate again = _store.Open(Uri, "x", 1, "b");
        Assert.NotEmpty(again.Warnings);
        Assert.True(_store.Close(Uri).Applied);
        Assert.False(_store.Close(Uri).Applied);
        Assert.Equal(["open 1 a", "close", "open 1 b", "close"], _observer.Events);
    }

    [Fact]
    public void A_throwing_observer_does_not_stop_the_edit()
    {
        _store.Subscribe(new ThrowingObserver());
        _store.Open(Uri, "x", 1, "a");
        DocumentUpdate update = _store.Change(Uri, 2, [DocumentChange.Full("b")], PositionEncoding.Utf16);
        Assert.Single(update.ObserverFailures);
        Assert.Equal("b", _store.Find(Uri)!.GetText());
        Assert.Equal("b", _observer.Replay(Uri));
    }

    internal static DocumentChange Edit(int l1, int c1, int l2, int c2, string text) =>
        new(new TextRange(new TextPosition(l1, c1), new TextPosition(l2, c2)), text);

    private sealed class ThrowingObserver : IDocumentObserver
    {
        public void OnOpened(DocumentOpened opened) => throw new InvalidOperationException("boom");

        public void OnEdited(DocumentEdit edit) => throw new InvalidOperationException("boom");

        public void OnClosed(DocumentClosed closed) => throw new InvalidOperationException("boom");
    }
}

/// <summary>Records every event, and replays the edits on plain strings.</summary>
internal sealed class RecordingObserver : IDocumentObserver
{
    private readonly Dictionary<string, string> _texts = [];

    public List<string> Events { get; } = [];

    public string Replay(string uri) => _texts[uri];

    public void OnOpened(DocumentOpened opened)
    {
        Events.Add($"open {opened.Version} {opened.Text}");
        _texts[opened.Uri] = opened.Text;
    }

    public void OnEdited(DocumentEdit edit)
    {
        Events.Add($"edit {edit.Version} {edit.Start}-{edit.Start + edit.RemovedLength} {edit.InsertedText}");
        string text = _texts[edit.Uri];
        _texts[edit.Uri] = string.Concat(text.AsSpan(0, edit.Start), edit.InsertedText, text.AsSpan(edit.Start + edit.RemovedLength));
    }

    public void OnClosed(DocumentClosed closed)
    {
        Events.Add("close");
        _texts.Remove(closed.Uri);
    }
}
