namespace LspLlama.Core.Documents;

/// <summary>A zero-based line and a character offset counted in some <see cref="PositionEncoding"/>.</summary>
public readonly record struct TextPosition(int Line, int Character)
{
    public override string ToString() => $"{Line}:{Character}";
}

/// <summary>A range between two positions; the end is exclusive.</summary>
public readonly record struct TextRange(TextPosition Start, TextPosition End)
{
    public override string ToString() => $"{Start}-{End}";
}
