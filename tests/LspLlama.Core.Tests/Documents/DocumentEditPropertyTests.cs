using LspLlama.Core.Documents;
using Xunit;

namespace LspLlama.Core.Tests.Documents;

/// <summary>
/// Random edit sequences, sent as LSP positions in each encoding, must leave the store's text,
/// line index and observer stream equal to the same edits applied to a plain string.
/// </summary>
public sealed class DocumentEditPropertyTests
{
    // Pieces that exercise every rule: terminators of all three kinds, empty lines, a combining
    // mark, a surrogate pair and multi-byte BMP chars.
    private static readonly string[] s_pieces = ["a", "bc", " ", "\n", "\r\n", "\r", "\n\n", "e\u0301", "\U0001F600", "ж", "€", "\t"];

    public static TheoryData<PositionEncoding, int> Cases()
    {
        TheoryData<PositionEncoding, int> data = [];
        foreach (PositionEncoding encoding in Enum.GetValues<PositionEncoding>())
        {
            for (int seed = 1; seed <= 8; seed++)
            {
                data.Add(encoding, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Random_edits_match_a_plain_string(PositionEncoding encoding, int seed)
    {
        Random random = new(seed);
        string expected = RandomText(random, random.Next(0, 30));
        DocumentStore store = new();
        RecordingObserver observer = new();
        store.Subscribe(observer);
        store.Open("file:///p", "x", 0, expected);
        TextDocument document = store.Find("file:///p")!;

        for (int version = 1; version <= 200; version++)
        {
            int changeCount = random.Next(1, 4);
            List<DocumentChange> changes = [];
            for (int c = 0; c < changeCount; c++)
            {
                // Positions refer to the text after the previous change of the same notification.
                int a = RandomBoundary(random, expected);
                int b = RandomBoundary(random, expected);
                (int start, int end) = (Math.Min(a, b), Math.Max(a, b));
                string inserted = RandomText(random, random.Next(0, 4));
                changes.Add(new DocumentChange(
                    new TextRange(ReferenceText.PositionOf(expected, start, encoding), ReferenceText.PositionOf(expected, end, encoding)),
                    inserted));
                expected = string.Concat(expected.AsSpan(0, start), inserted, expected.AsSpan(end));
            }

            DocumentUpdate update = store.Change("file:///p", version, changes, encoding);
            Assert.Empty(update.Warnings);
            Assert.Equal(expected, document.GetText());
            Assert.Equal(ReferenceText.LineStarts(expected), Enumerable.Range(0, document.LineCount).Select(document.LineStart));
        }

        Assert.Equal(expected, observer.Replay("file:///p"));
        int probe = RandomBoundary(random, expected);
        Assert.Equal(ReferenceText.PositionOf(expected, probe, encoding), document.PositionAt(probe, encoding));
    }

    private static string RandomText(Random random, int pieces) =>
        string.Concat(Enumerable.Range(0, pieces).Select(_ => s_pieces[random.Next(s_pieces.Length)]));

    private static int RandomBoundary(Random random, string text)
    {
        while (true)
        {
            int offset = random.Next(0, text.Length + 1);

            // Stay off the middle of a surrogate pair and of a CRLF: neither is addressable as a position.
            bool insideCrlf = offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n';
            if (ReferenceText.IsBoundary(text, offset) && !insideCrlf)
            {
                return offset;
            }
        }
    }
}
