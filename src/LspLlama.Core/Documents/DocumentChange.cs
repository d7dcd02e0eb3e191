namespace LspLlama.Core.Documents;

/// <summary>
/// One change from the client: <paramref name="Range"/> (in the negotiated encoding) replaced by
/// <paramref name="Text"/>, or the whole document when <paramref name="Range"/> is null.
/// </summary>
public readonly record struct DocumentChange(TextRange? Range, string Text)
{
    public static DocumentChange Full(string text) => new(null, text);
}

/// <summary>The outcome of a store operation, with everything worth a warning in the log.</summary>
public sealed class DocumentUpdate
{
    private readonly List<string> _warnings = [];
    private readonly List<Exception> _observerFailures = [];

    public DocumentUpdate(bool applied) => Applied = applied;

    /// <summary>False when nothing was applied (the document is not open).</summary>
    public bool Applied { get; }

    /// <summary>Client mistakes that were tolerated (clamped ranges, versions that went back, …).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Observers that threw; the document itself was still updated.</summary>
    public IReadOnlyList<Exception> ObserverFailures => _observerFailures;

    public void Warn(string message) => _warnings.Add(message);

    public void ObserverFailed(Exception e) => _observerFailures.Add(e);
}
