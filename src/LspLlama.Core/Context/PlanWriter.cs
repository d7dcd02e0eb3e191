namespace LspLlama.Core.Context;

/// <summary>
/// Writes the planned sequence over the previous one in place and notes the first index that differs,
/// so the first changed token is exact without keeping a second copy.
/// </summary>
public sealed class PlanWriter(int capacity)
{
    private readonly int[] _buffer = new int[capacity];
    private int _previousLength;
    private int _first;

    public int Position { get; private set; }

    public ReadOnlyMemory<int> Tokens => _buffer.AsMemory(0, _previousLength);

    public void Begin()
    {
        Position = 0;
        _first = int.MaxValue;
    }

    public void Write(ReadOnlySpan<int> tokens)
    {
        if (Position + tokens.Length > _buffer.Length)
        {
            throw new InvalidOperationException($"plan of more than {_buffer.Length} tokens: the budget check is broken");
        }

        Span<int> target = _buffer.AsSpan(Position, tokens.Length);
        if (_first == int.MaxValue && Position < _previousLength)
        {
            int n = Math.Min(tokens.Length, _previousLength - Position);
            int common = tokens[..n].CommonPrefixLength(target[..n]);
            if (common < tokens.Length)
            {
                _first = Position + common;
            }
        }

        tokens.CopyTo(target);
        Position += tokens.Length;
    }

    public void Write(int token) => Write([token]);

    /// <summary>Steps over tokens known to be identical to the previous build at this position.</summary>
    public void Keep(int count) => Position += count;

    /// <summary>Ends the build; returns the first index that differs from the previous build (the length when none does).</summary>
    public int Finish()
    {
        int first = _first != int.MaxValue ? _first : Math.Min(Position, _previousLength);
        _previousLength = Position;
        return first;
    }
}
