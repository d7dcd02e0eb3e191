namespace LspLlama.Core.Bench;

/// <summary>Where a trace came from.</summary>
public enum TraceSource
{
    /// <summary>Made by <see cref="TraceGenerator"/> from a workspace and a seed.</summary>
    Generated,

    /// <summary>Written by the server from real editor traffic.</summary>
    Recorded,
}

/// <summary>
/// The first line of a trace file. <see cref="FormatVersion"/> changes whenever the meaning of a
/// field changes, so an old reader refuses a newer trace instead of misreading it.
/// </summary>
/// <param name="Workspace">The workspace folder the URIs point into (informational).</param>
/// <param name="PositionEncoding">"utf-16" (always for generated traces) or "utf-8".</param>
/// <param name="Generator">The options that made a generated trace; null for recorded ones.</param>
public sealed record TraceHeader(
    int FormatVersion,
    TraceSource Source,
    string Workspace,
    string PositionEncoding,
    TraceGeneratorOptions? Generator)
{
    /// <summary>The version this build writes and the only one it reads.</summary>
    public const int CurrentFormatVersion = 1;

    public const string Utf16 = "utf-16";

    public const string Utf8 = "utf-8";
}

/// <summary>A whole trace: its header and its events in order.</summary>
public sealed record EditTrace(TraceHeader Header, IReadOnlyList<TraceEvent> Events)
{
    /// <summary>Completion requests, i.e. the syncs a replay performs.</summary>
    public int CompletionCount => Events.Count(e => e is TraceCompletion);
}
