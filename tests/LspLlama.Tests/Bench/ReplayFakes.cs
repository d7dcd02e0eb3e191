using System.Buffers.Binary;
using System.Text;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;

namespace LspLlama.Tests.Bench;

/// <summary>Byte-level tokens (0-255) plus FIM markers and a file separator, so held tokens read back as text.</summary>
internal sealed class ReplayByteTokenizer : ITokenizer
{
    public const int FimPrefix = 257;
    public const int FimSuffix = 258;
    public const int FimMiddle = 259;
    public const int FileSeparator = 261;

    public int VocabularySize => 262;

    public SpecialTokens Special { get; } = new(null, 256, FimPrefix, FimSuffix, FimMiddle, 260, null, FileSeparator, false);

    public int[] Tokenize(string text, bool parseSpecial = false) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];

    public ReadOnlySpan<byte> TokenBytes(int token) => token switch
    {
        < 256 => new[] { (byte)token },
        FimPrefix => "<PRE>"u8,
        FimSuffix => "<SUF>"u8,
        FimMiddle => "<MID>"u8,
        FileSeparator => "<SEP>"u8,
        _ => "<X>"u8,
    };

    public bool IsEndOfGeneration(int token) => token == 256;

    public static string Text(ReadOnlySpan<int> tokens)
    {
        List<byte> bytes = [];
        foreach (int t in tokens)
        {
            bytes.AddRange(new ReplayByteTokenizer().TokenBytes(t).ToArray());
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}

/// <summary>
/// A recurrent memory: a tail can never be cut (only the whole sequence), and the partial state
/// (the position it was saved at plus padding) brings back exactly the prefix it was saved after.
/// Decoding anywhere but right after the last held position throws, as llama.cpp would.
/// </summary>
internal sealed class ReplayRecurrentBackend(int contextSize = 1 << 16, int batchSize = 64, int stateBytes = 1024) : ISessionBackend
{
    private readonly int _stateBytes = Math.Max(sizeof(int), stateBytes);
    private int _held;

    public MemoryKind MemoryKind => MemoryKind.Recurrent;

    public int SlidingWindow => 0;

    public int ContextSize { get; } = contextSize;

    public int BatchSize { get; } = batchSize;

    public int MicroBatchSize => BatchSize;

    public long TokensDecoded { get; private set; }

    public void Decode(ReadOnlySpan<int> tokens, int startPosition)
    {
        if (startPosition != _held || tokens.Length == 0 || tokens.Length > BatchSize)
        {
            throw new InvalidOperationException($"decode of {tokens.Length} at {startPosition}, memory holds {_held}");
        }

        _held += tokens.Length;
        TokensDecoded += tokens.Length;
    }

    public bool TryRemoveTail(int fromPosition)
    {
        if (fromPosition >= _held)
        {
            return true;
        }

        if (fromPosition <= 0)
        {
            _held = 0;
            return true;
        }

        return false;
    }

    public void Clear() => _held = 0;

    public int SequenceMinPosition() => _held - 1;

    public int PartialStateSize() => _stateBytes;

    public int SavePartialState(Span<byte> destination)
    {
        if (destination.Length < _stateBytes)
        {
            return 0;
        }

        BinaryPrimitives.WriteInt32LittleEndian(destination, _held);
        return _stateBytes;
    }

    public bool RestorePartialState(ReadOnlySpan<byte> source)
    {
        if (source.Length != _stateBytes)
        {
            return false;
        }

        _held = BinaryPrimitives.ReadInt32LittleEndian(source);
        return true;
    }
}

/// <summary>
/// A served model over the fakes: the byte tokenizer, a fake session backend, and a generator that
/// proposes the same rare text every time ("zq" repeated, which the generated traces never type,
/// so the typed-ahead cache stays out of the way), counting what it accepts.
/// </summary>
internal sealed class ReplayServedModel(ISessionBackend backend, ICheckpointPolicy policy, ICheckpointSpill? spill = null) : LspLlama.Engine.IServedModel
{
    public string Path => "fake.gguf";

    public string Architecture => "fake";

    public ITokenizer Tokenizer { get; } = new ReplayByteTokenizer();

    public ModelSession Session { get; } = new(backend, policy, spill);

    public int ContextSize => backend.ContextSize;

    public int BatchSize => backend.BatchSize;

    /// <summary>Generated tokens the session took in, over all completions.</summary>
    public int Accepted { get; private set; }

    public LspLlama.Core.Completion.ITokenGenerator Generator(LspLlama.Core.Completion.LogitSampler sampler) => new Filler(this);

    private sealed class Filler(ReplayServedModel model) : LspLlama.Core.Completion.ITokenGenerator
    {
        private int _next;

        public int Sample() => _next++ % 2 == 0 ? 'z' : 'q';

        public void Accept(int token)
        {
            model.Session.AppendGenerated(token);
            model.Accepted++;
        }
    }
}

/// <summary>
/// A disk tier on a disk that lost its files: it takes every checkpoint and says reading one back
/// costs nothing, so a rollback counts on it, and then no read succeeds.
/// </summary>
internal sealed class UnreadableSpill : ICheckpointSpill
{
    private readonly List<byte[]> _written = [];
    private readonly Dictionary<long, int> _lengths = [];
    private long _next;

    public int FailedReads { get; private set; }

    public long Bytes => _lengths.Values.Sum(n => (long)n);

    public SpilledCheckpoint? Spill(int position, byte[] buffer, int length)
    {
        _written.Add(buffer);
        _lengths[_next] = length;
        return new SpilledCheckpoint(_next++, position, length);
    }

    public bool TryRead(SpilledCheckpoint checkpoint, Span<byte> destination)
    {
        FailedReads++;
        _lengths.Remove(checkpoint.Id);
        return false;
    }

    public void Drop(SpilledCheckpoint checkpoint) => _lengths.Remove(checkpoint.Id);

    public void TakeWritten(List<byte[]> buffers, TimeSpan wait = default)
    {
        buffers.AddRange(_written);
        _written.Clear();
    }

    public double ReadSeconds(long bytes) => 0;

    public void Dispose()
    {
    }
}
