using System.Text;
using LspLlama.Core.Completion;

namespace LspLlama.Core.Tests.Completion;

/// <summary>
/// A fake model that emits a fixed script of tokens (then EOS forever), advancing a fake clock by
/// a fixed step per sample, and checks that the loop accepts exactly the token it just sampled.
/// </summary>
internal sealed class ScriptedModel(IReadOnlyList<int> script, FakeClock? clock = null, TimeSpan step = default) : ITokenGenerator
{
    private int? _pending;

    public int Sampled { get; private set; }

    public List<int> Accepted { get; } = [];

    /// <summary>Called with the number of tokens accepted so far, after each decode (e.g. to cancel during it).</summary>
    public Action<int>? AfterAccept { get; init; }

    /// <summary>One token per UTF-8 byte of <paramref name="text"/>.</summary>
    public static ScriptedModel PerByte(string text, FakeClock? clock = null, TimeSpan step = default) =>
        new([.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)], clock, step);

    /// <summary>Tokens of <paramref name="chunk"/> bytes each, registered as pieces (they split characters).</summary>
    public static ScriptedModel Chunked(FakeByteTokenizer tokenizer, string text, int chunk)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        return new([.. bytes.Chunk(chunk).Select(tokenizer.AddPiece)]);
    }

    public int Sample()
    {
        if (_pending is not null)
        {
            throw new InvalidOperationException("Sample called again before the previous token was accepted.");
        }

        clock?.Advance(step);
        int token = Sampled < script.Count ? script[Sampled] : FakeByteTokenizer.Eos;
        Sampled++;
        _pending = token;
        return token;
    }

    public void Accept(int token)
    {
        if (_pending != token)
        {
            throw new InvalidOperationException($"Accepted {token} but sampled {_pending}.");
        }

        _pending = null;
        Accepted.Add(token);
        AfterAccept?.Invoke(Accepted.Count);
    }
}

/// <summary>A clock that moves only when told to.</summary>
internal sealed class FakeClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}

/// <summary>Documents written with a <c>$0</c> cursor marker.</summary>
internal static class CursorText
{
    public const string Marker = "$0";

    public static CompletionRequest Request(string document, string documentId = "file:///a")
    {
        int at = document.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0 || document.IndexOf(Marker, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"The document needs exactly one {Marker} marker.", nameof(document));
        }

        return new CompletionRequest(documentId, document[..at], document[(at + Marker.Length)..]);
    }
}
