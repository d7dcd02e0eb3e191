using System.Buffers.Binary;
using LspLlama.Core.Session;

namespace LspLlama.Core.Tests.Session;

/// <summary>
/// A model memory that behaves like llama.cpp's for one sequence, with hashes for activations.
/// Each decoded token's output mixes its token and position with what the memory lets it see:
/// the attention KV (a running hash over every earlier position), the sliding window (the last W
/// positions, gaps included) and the recurrent state. A wrong rollback therefore changes the
/// output, just as it would change real logits, and impossible states throw.
/// </summary>
internal sealed class FakeBackend : ISessionBackend
{
    private const ulong Seed = 0x9E3779B97F4A7C15;
    private readonly List<Cell> _kv;
    private readonly List<Cell> _swa;
    private readonly bool _hasKv;
    private readonly bool _hasSwa;
    private readonly bool _hasRecurrent;
    private readonly int _recurrentBytes;
    private ulong _recurrent = Seed;
    private int _recurrentLast = -1;

    public FakeBackend(MemoryKind kind, int contextSize = 2048, int batchSize = 32, int microBatchSize = 16, int window = 12, int recurrentBytes = 4096)
    {
        MemoryKind = kind;
        ContextSize = contextSize;
        BatchSize = batchSize;
        MicroBatchSize = microBatchSize;
        SlidingWindow = kind == MemoryKind.SlidingWindow ? window : 0;
        _hasKv = kind is MemoryKind.Attention or MemoryKind.Hybrid or MemoryKind.SlidingWindow;
        _hasSwa = kind == MemoryKind.SlidingWindow;
        _hasRecurrent = kind is MemoryKind.Recurrent or MemoryKind.Hybrid;
        _recurrentBytes = recurrentBytes;
        _kv = new List<Cell>(contextSize);
        WindowSlack = microBatchSize;
        _swa = new List<Cell>(window + microBatchSize + 2);
    }

    public MemoryKind MemoryKind { get; }

    /// <summary>
    /// Positions kept beyond the window before they are evicted (llama.cpp's SWA cache holds about
    /// n_swa + n_ubatch cells). Evicted positions are gone: a cut behind them leaves a gap.
    /// </summary>
    public int WindowSlack { get; init; }

    public int SlidingWindow { get; }

    public int ContextSize { get; }

    public int BatchSize { get; }

    public int MicroBatchSize { get; }

    /// <summary>The "logits": output of the last decoded token, null before any decode.</summary>
    public ulong? Output { get; private set; }

    /// <summary>Every decode call as (start, count), for tests about batch splits.</summary>
    public List<(int Start, int Count)> Decodes { get; } = [];

    public bool RecordDecodes { get; set; } = true;

    /// <summary>Called after each decode with the number of tokens held; tests cancel from here.</summary>
    public Action<int>? AfterDecode { get; set; }

    /// <summary>Make the next N tail cuts or restores fail, as a backend might.</summary>
    public int FailTailCuts { get; set; }

    public int FailRestores { get; set; }

    public int TailCutCalls { get; private set; }

    public int RestoreCalls { get; private set; }

    public void Decode(ReadOnlySpan<int> tokens, int startPosition)
    {
        if (tokens.IsEmpty || tokens.Length > BatchSize)
        {
            throw new InvalidOperationException($"fake: batch of {tokens.Length} tokens (n_batch {BatchSize})");
        }

        if (startPosition + tokens.Length > ContextSize)
        {
            throw new InvalidOperationException("fake: context full");
        }

        // llama.cpp requires the batch to continue the sequence in every part of the memory.
        int kvNext = _kv.Count == 0 ? 0 : _kv[^1].Pos + 1;
        int swaNext = _swa.Count == 0 ? 0 : _swa[^1].Pos + 1;
        if ((_hasKv && kvNext != startPosition) || (_hasSwa && _swa.Count > 0 && swaNext != startPosition) ||
            (_hasRecurrent && _recurrentLast + 1 != startPosition))
        {
            throw new InvalidOperationException(
                $"fake: decode at {startPosition} but memory ends at kv {kvNext - 1}, swa {swaNext - 1}, recurrent {_recurrentLast}");
        }

        for (int i = 0; i < tokens.Length; i++)
        {
            int pos = startPosition + i;
            ulong h = Mix(Mix(Seed, (ulong)tokens[i]), (ulong)pos);
            if (_hasKv)
            {
                h = Mix(h, _kv.Count == 0 ? Seed : _kv[^1].Value);
            }

            if (_hasSwa)
            {
                foreach (Cell c in _swa)
                {
                    if (pos - c.Pos < SlidingWindow)
                    {
                        h = Mix(Mix(h, (ulong)c.Pos), c.Value);
                    }
                }
            }

            if (_hasRecurrent)
            {
                h = Mix(h, _recurrent);
                _recurrent = Mix(_recurrent, h);
                _recurrentLast = pos;
            }

            if (_hasKv)
            {
                _kv.Add(new Cell(pos, Mix(_kv.Count == 0 ? Seed : _kv[^1].Value, h)));
            }

            if (_hasSwa)
            {
                _swa.Add(new Cell(pos, h));
                while (_swa[0].Pos <= pos - SlidingWindow - WindowSlack)
                {
                    _swa.RemoveAt(0);
                }
            }

            Output = h;
        }

        if (RecordDecodes)
        {
            Decodes.Add((startPosition, tokens.Length));
        }

        AfterDecode?.Invoke(startPosition + tokens.Length);
    }

    public bool TryRemoveTail(int fromPosition)
    {
        TailCutCalls++;
        if (FailTailCuts > 0)
        {
            FailTailCuts--;
            return false;
        }

        int from = Math.Max(0, fromPosition);
        if (_hasRecurrent && from <= _recurrentLast)
        {
            // Recurrent state cannot lose a tail; removing the whole sequence always works.
            if (from > 0)
            {
                return false;
            }

            _recurrent = Seed;
            _recurrentLast = -1;
        }

        RemoveFrom(_kv, from);
        RemoveFrom(_swa, from);
        return true;
    }

    public void Clear()
    {
        _kv.Clear();
        _swa.Clear();
        _recurrent = Seed;
        _recurrentLast = -1;
        Output = null;
    }

    public int SequenceMinPosition() => MemoryKind switch
    {
        MemoryKind.Attention => _kv.Count == 0 ? -1 : _kv[0].Pos,
        MemoryKind.SlidingWindow => _swa.Count == 0 ? -1 : _swa[0].Pos,
        _ => _recurrentLast,
    };

    public int PartialStateSize() => MemoryKind switch
    {
        MemoryKind.Attention => 4 + (_kv.Count * 12),
        MemoryKind.SlidingWindow => 4 + (_swa.Count * 12),
        _ => _recurrentBytes,
    };

    public int SavePartialState(Span<byte> destination)
    {
        int size = PartialStateSize();
        if (destination.Length < size)
        {
            return 0;
        }

        if (_hasRecurrent)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination, _recurrentLast);
            BinaryPrimitives.WriteUInt64LittleEndian(destination[4..], _recurrent);
            destination[12..size].Fill((byte)_recurrent);
            return size;
        }

        List<Cell> cells = _hasSwa ? _swa : _kv;
        BinaryPrimitives.WriteInt32LittleEndian(destination, cells.Count);
        for (int i = 0; i < cells.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[(4 + (i * 12))..], cells[i].Pos);
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(8 + (i * 12))..], cells[i].Value);
        }

        return size;
    }

    public bool RestorePartialState(ReadOnlySpan<byte> source)
    {
        RestoreCalls++;
        if (FailRestores > 0)
        {
            FailRestores--;
            return false;
        }

        if (_hasRecurrent)
        {
            // Hybrid: only the recurrent part comes back; the attention KV is left as it is.
            if (source.Length != _recurrentBytes)
            {
                return false;
            }

            _recurrentLast = BinaryPrimitives.ReadInt32LittleEndian(source);
            _recurrent = BinaryPrimitives.ReadUInt64LittleEndian(source[4..]);
            return true;
        }

        // Sliding window: only the window KV comes back; the full-attention KV is left as it is.
        List<Cell> cells = _hasSwa ? _swa : _kv;
        int count = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (source.Length != 4 + (count * 12))
        {
            return false;
        }

        cells.Clear();
        for (int i = 0; i < count; i++)
        {
            cells.Add(new Cell(
                BinaryPrimitives.ReadInt32LittleEndian(source[(4 + (i * 12))..]),
                BinaryPrimitives.ReadUInt64LittleEndian(source[(8 + (i * 12))..])));
        }

        return true;
    }

    /// <summary>A new fake of the same shape that decoded <paramref name="tokens"/> from scratch.</summary>
    public FakeBackend Fresh(ReadOnlySpan<int> tokens)
    {
        var fresh = new FakeBackend(MemoryKind, ContextSize, BatchSize, MicroBatchSize, Math.Max(1, SlidingWindow), _recurrentBytes)
        {
            RecordDecodes = false,
            WindowSlack = WindowSlack,
        };
        for (int i = 0; i < tokens.Length; i += BatchSize)
        {
            fresh.Decode(tokens[i..Math.Min(tokens.Length, i + BatchSize)], i);
        }

        return fresh;
    }

    /// <summary>
    /// Makes this memory an exact copy of <paramref name="other"/>'s, as loading a full stored
    /// state into a new context does (the logits are not part of the state).
    /// </summary>
    public void LoadFullStateOf(FakeBackend other)
    {
        _kv.Clear();
        _kv.AddRange(other._kv);
        _swa.Clear();
        _swa.AddRange(other._swa);
        _recurrent = other._recurrent;
        _recurrentLast = other._recurrentLast;
        Output = null;
    }

    /// <summary>The partial state this fake would save now.</summary>
    public byte[] PartialState()
    {
        byte[] data = new byte[PartialStateSize()];
        SavePartialState(data);
        return data;
    }

    /// <summary>
    /// Whether two partial states give the same outputs from <paramref name="position"/> on:
    /// recurrent states must match exactly; sliding windows only in the cells still visible.
    /// </summary>
    public bool EquivalentPartialStates(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int position)
    {
        if (!_hasSwa)
        {
            return a.SequenceEqual(b);
        }

        return VisibleCells(a, position).SequenceEqual(VisibleCells(b, position));
    }

    private List<Cell> VisibleCells(ReadOnlySpan<byte> state, int position)
    {
        var cells = new List<Cell>();
        int count = BinaryPrimitives.ReadInt32LittleEndian(state);
        for (int i = 0; i < count; i++)
        {
            var c = new Cell(
                BinaryPrimitives.ReadInt32LittleEndian(state[(4 + (i * 12))..]),
                BinaryPrimitives.ReadUInt64LittleEndian(state[(8 + (i * 12))..]));
            if (position - c.Pos < SlidingWindow)
            {
                cells.Add(c);
            }
        }

        return cells;
    }

    private static void RemoveFrom(List<Cell> cells, int from)
    {
        while (cells.Count > 0 && cells[^1].Pos >= from)
        {
            cells.RemoveAt(cells.Count - 1);
        }
    }

    private static ulong Mix(ulong a, ulong b)
    {
        ulong z = a ^ (b + Seed + (a << 6) + (a >> 2));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private readonly record struct Cell(int Pos, ulong Value);
}
