using LspLlama.Core.Session;

namespace LspLlama.Core.Context;

/// <summary>Where one document's segment lies in the planned sequence.</summary>
/// <param name="Closed">A closed file the plan keeps as context.</param>
public readonly record struct PlannedSegment(string Uri, int Start, int Length, bool Active, bool Closed = false);

/// <summary>
/// One build of the context plan. <see cref="Tokens"/> is a view of the plan's buffer, valid until the
/// next build: copy it (ToArray) to keep it.
/// </summary>
/// <param name="FirstChanged">First index that differs from the previous build (Tokens.Length when none does).</param>
/// <param name="Evicted">Documents left out because of the budget (they return when edited).</param>
public sealed record PlanBuild(
    ReadOnlyMemory<int> Tokens,
    int FirstChanged,
    SyncHints Hints,
    IReadOnlyList<PlannedSegment> Segments,
    int Evicted);
