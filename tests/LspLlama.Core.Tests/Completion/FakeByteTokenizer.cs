using System.Text;
using LspLlama.Core.Tokens;

namespace LspLlama.Core.Tests.Completion;

/// <summary>
/// A byte-level vocabulary: ids 0-255 are single bytes, then the special tokens, then any byte
/// sequences a test registers as pieces (which may split UTF-8 characters anywhere).
/// </summary>
internal sealed class FakeByteTokenizer : ITokenizer
{
    public const int Eos = 256;
    public const int FimPrefix = 257;
    public const int FimSuffix = 258;
    public const int FimMiddle = 259;
    public const int FimPad = 260;
    public const int FileSeparator = 261;
    public const int Bos = 262;
    private const int FirstPiece = 263;

    private static readonly byte[][] s_bytes = [.. Enumerable.Range(0, 256).Select(b => new[] { (byte)b })];
    private readonly List<byte[]> _pieces = [];

    public int VocabularySize => FirstPiece + _pieces.Count;

    // The vocabulary flags only EOS as end of generation, so the generator's own check of the FIM
    // markers is what stops on them.
    public SpecialTokens Special { get; } = new(Bos, Eos, FimPrefix, FimSuffix, FimMiddle, FimPad, null, FileSeparator, false);

    public int AddPiece(byte[] bytes)
    {
        _pieces.Add(bytes);
        return FirstPiece + _pieces.Count - 1;
    }

    public int[] Tokenize(string text, bool parseSpecial = false) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];

    public ReadOnlySpan<byte> TokenBytes(int token) => token switch
    {
        < 256 => s_bytes[token],
        Eos => "</s>"u8,
        FimPrefix => "<fim_prefix>"u8,
        FimSuffix => "<fim_suffix>"u8,
        FimMiddle => "<fim_middle>"u8,
        FimPad => "<fim_pad>"u8,
        FileSeparator => "<file_sep>"u8,
        Bos => "<s>"u8,
        _ => _pieces[token - FirstPiece],
    };

    public bool IsEndOfGeneration(int token) => token == Eos;
}
