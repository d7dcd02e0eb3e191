namespace LspLlama.Core.Context;

/// <summary>
/// The budget shares of the context plan. They are constants, not settings: they trade one cost
/// against another inside the plan, and a user has nothing to measure them by (the bench does).
/// </summary>
public static class PlanShares
{
    /// <summary>
    /// After an eviction the plan fills at most this share of its budget. An eviction re-decodes
    /// everything after the evicted file, so it must not recur on the next keystrokes: a fifth of
    /// the budget is room for a long editing session, while four fifths keep most files in view.
    /// </summary>
    public const double LowWater = 0.8;

    /// <summary>
    /// The largest share of the budget the active document (prefix, suffix, markers) may take. Half
    /// leaves the other half to the other files, which is what cross-file completions draw on, and
    /// is still thousands of tokens around the cursor at the default context size, more than FIM
    /// models were trained to look at.
    /// </summary>
    public const double Active = 0.5;

    /// <summary>
    /// The largest share of the active document's budget the suffix window may take. The code after
    /// the cursor helps the model less than the code before it, and in PSM a cursor move re-decodes
    /// the suffix window, so it stays a quarter.
    /// </summary>
    public const double Suffix = 0.25;
}
