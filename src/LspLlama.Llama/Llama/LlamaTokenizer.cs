using System.Text;
using LLama.Native;
using LspLlama.Core.Tokens;

namespace LspLlama.Llama;

/// <summary>
/// <see cref="ITokenizer"/> over a loaded llama.cpp vocabulary. Token bytes and end-of-generation
/// flags are read once at construction, so lookups are plain array reads and thread-safe.
/// The model must outlive this object.
/// </summary>
public sealed class LlamaTokenizer : ITokenizer
{
    private readonly SafeLlamaModelHandle _model;
    private readonly byte[][] _tokenBytes;
    private readonly bool[] _endOfGeneration;

    public LlamaTokenizer(SafeLlamaModelHandle model)
    {
        _model = model;
        SafeLlamaModelHandle.Vocabulary vocab = model.Vocab;
        VocabularySize = vocab.Count;
        _tokenBytes = new byte[VocabularySize][];
        _endOfGeneration = new bool[VocabularySize];
        byte[] buffer = new byte[256];
        for (int id = 0; id < VocabularySize; id++)
        {
            _tokenBytes[id] = Piece(vocab, id, ref buffer);
            _endOfGeneration[id] = ((LLamaToken)id).IsEndOfGeneration(vocab);
        }

        Special = new SpecialTokens(
            Bos: Id(vocab.BOS),
            Eos: Id(vocab.EOS),
            FimPrefix: Id(vocab.InfillPrefix),
            FimSuffix: Id(vocab.InfillSuffix),
            FimMiddle: Id(vocab.InfillMiddle),
            FimPad: Id(vocab.InfillPad),
            FimRepo: Id(vocab.InfillRep),
            FimFileSeparator: Id(vocab.InfillSep),
            AddBos: vocab.ShouldAddBOS);
    }

    public int VocabularySize { get; }

    public SpecialTokens Special { get; }

    public int[] Tokenize(string text, bool parseSpecial = false)
    {
        if (text.Length == 0)
        {
            return [];
        }

        LLamaToken[] tokens = _model.Tokenize(text, false, parseSpecial, Encoding.UTF8);
        int[] ids = new int[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            ids[i] = (int)tokens[i];
        }

        return ids;
    }

    public ReadOnlySpan<byte> TokenBytes(int token) =>
        (uint)token < (uint)_tokenBytes.Length
            ? _tokenBytes[token]
            : throw new ArgumentOutOfRangeException(nameof(token), token, $"the vocabulary has {VocabularySize} tokens");

    public bool IsEndOfGeneration(int token) => (uint)token < (uint)_endOfGeneration.Length && _endOfGeneration[token];

    private static byte[] Piece(SafeLlamaModelHandle.Vocabulary vocab, int id, ref byte[] buffer)
    {
        // special: true renders control tokens as their text (e.g. "<|fim_prefix|>") instead of nothing.
        while (true)
        {
            int n = NativeApi.llama_token_to_piece(vocab, id, buffer, 0, true);
            if (n >= 0)
            {
                return buffer.AsSpan(0, n).ToArray();
            }

            buffer = new byte[-n];
        }
    }

    private static int? Id(LLamaToken? token) => token is { } t ? (int)t : null;
}
