namespace LspLlama.Core.Bench;

/// <summary>
/// Makes a realistic editing session from a workspace's files and a seed: it opens files until the
/// context target is met, then mixes typing bursts at the cursor (one change per keystroke, with a
/// completion request every few keystrokes and at the end of each burst), new lines with
/// indentation, backspacing and line deletions, pastes, cursor jumps, switches of the active file,
/// edits in other open files, and closing and re-opening files. It edits its own copy of each text,
/// so every position it emits is valid for the document as the server will have it.
/// </summary>
public sealed class TraceGenerator
{
    private readonly IReadOnlyList<SourceFile> _files;
    private readonly TraceGeneratorOptions _options;
    private readonly Func<string, int> _countTokens;

    public TraceGenerator(IReadOnlyList<SourceFile> files, TraceGeneratorOptions options, Func<string, int>? countTokens = null)
    {
        if (files.Count == 0)
        {
            throw new ArgumentException("a trace needs at least one source file", nameof(files));
        }

        // Sorted, so the trace depends on the set of files and the seed, not on directory order.
        _files = [.. files.OrderBy(f => f.Uri, StringComparer.Ordinal)];
        _options = options;
        _countTokens = countTokens ?? EstimateTokens;
    }

    /// <summary>Three characters a token: a fair guess for code with a BPE vocabulary.</summary>
    public static int EstimateTokens(string text) => (text.Length + 2) / 3;

    public EditTrace Generate(string workspace) =>
        new(new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Generated, workspace, TraceHeader.Utf16, _options),
            new TraceSession(_files, _options, _countTokens).Run());
}
