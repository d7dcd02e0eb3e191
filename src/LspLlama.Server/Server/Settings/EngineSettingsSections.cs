using System.Text.Json;
using LspLlama.Core.Context;
using LspLlama.Core.Context.Formats;
using LspLlama.Core.Session;

namespace LspLlama.Server.Settings;

/// <summary><c>{"model": {"path", "contextSize", "batchSize", "microBatchSize", "threads", "gpuLayers"}}</c>.</summary>
public sealed class ModelSettingsSection : ISettingsSection
{
    /// <summary>
    /// The smallest context accepted: the default generation reserve (256) plus a plan whose active
    /// document gets the 64 tokens <see cref="ContextSettings"/> requires at the default share.
    /// </summary>
    public const int MinContextSize = 512;

    public string Name => "model";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        var r = new SettingReader(Name, section, problems);
        ModelSettings m = current.Model;
        ModelSettings d = ServerSettings.Default.Model;
        m = new ModelSettings(
            Path: HomePath.Expand(r.String("path", m.Path)),
            ContextSize: r.IntOrDefault("contextSize", m.ContextSize, d.ContextSize, unset: 0, MinContextSize, 1 << 22),
            BatchSize: r.Int("batchSize", m.BatchSize, 1, 1 << 16),
            MicroBatchSize: r.Int("microBatchSize", m.MicroBatchSize, 1, 1 << 16),
            Threads: r.Int("threads", m.Threads, 0, 1024),
            GpuLayers: r.IntOrDefault("gpuLayers", m.GpuLayers, d.GpuLayers, unset: -1, 0, 10_000));
        return current with { Model = m };
    }
}

/// <summary><c>{"checkpoints": {"policy", "maxMemoryMiB", "minSpacingTokens", "intervalTokens", "maxDiskMiB"}}</c>.</summary>
public sealed class CheckpointSettingsSection : ISettingsSection
{
    public string Name => "checkpoints";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        var r = new SettingReader(Name, section, problems);
        CheckpointSettings v = current.Checkpoints.Values;
        var values = new CheckpointSettings(
            // 0 is an editor's "let the server choose", not a zero budget: no checkpoints is policy none.
            MaxMemoryMiB: r.IntOrDefault("maxMemoryMiB", v.MaxMemoryMiB, ServerSettings.Default.Checkpoints.Values.MaxMemoryMiB, unset: 0, 1, 1 << 20),
            MinSpacingTokens: r.Int("minSpacingTokens", v.MinSpacingTokens, 1),
            IntervalTokens: r.Int("intervalTokens", v.IntervalTokens, 1),
            // Here 0 is a real choice (no disk tier), so an editor's placeholder is null or -1.
            MaxDiskMiB: r.IntOrDefault("maxDiskMiB", v.MaxDiskMiB, ServerSettings.Default.Checkpoints.Values.MaxDiskMiB, unset: -1, 0, 1 << 24));
        string policy = r.String("policy", current.Checkpoints.Policy) ?? CheckpointPolicies.Lspllama;
        if (!CheckpointPolicies.Names.Contains(policy))
        {
            problems.Warn($"checkpoints.policy: '{policy}' is not one of {string.Join(", ", CheckpointPolicies.Names)}; kept {current.Checkpoints.Policy}");
            policy = current.Checkpoints.Policy;
        }

        return current with { Checkpoints = new CheckpointSection(policy, values) };
    }
}

/// <summary>
/// <c>{"completion": {"maxTokens", "timeBudgetMs", "tabSize", "temperature", "topK", "topP", "seed", "idlePrefillMs", "progressMinTokens", "maxSyncTokens"}}</c>.
/// </summary>
public sealed class CompletionSettingsSection : ISettingsSection
{
    public string Name => "completion";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        var r = new SettingReader(Name, section, problems);
        var g = current.Completion.Generation;
        var s = g.Sampling;
        int seed = r.Int("seed", s.Seed is uint u ? (int)u : -1, -1);
        var sampling = s with
        {
            Temperature = (float)r.Double("temperature", s.Temperature, 0, 100),
            TopK = r.Int("topK", s.TopK, 0),
            TopP = (float)r.Double("topP", s.TopP, 0.000001, 1),
            Seed = seed < 0 ? null : (uint)seed,
        };
        var generation = g with
        {
            MaxTokens = r.IntOrDefault("maxTokens", g.MaxTokens, ServerSettings.Default.Completion.Generation.MaxTokens, unset: 0, 1, 4096),
            TimeBudget = TimeSpan.FromMilliseconds(r.Int("timeBudgetMs", (int)g.TimeBudget.TotalMilliseconds, 1, 600_000)),
            TabSize = r.Int("tabSize", g.TabSize, 1, 16),
            Sampling = sampling,
        };
        return current with
        {
            Completion = new CompletionSection(
                generation,
                r.Int("idlePrefillMs", current.Completion.IdlePrefillMs, 0, 60_000),
                r.Int("progressMinTokens", current.Completion.ProgressMinTokens, 1),
                MaxSyncTokens(r, current.Completion.MaxSyncTokens, problems)),
        };
    }

    /// <summary>0 is a real choice (exact, whatever it costs), so an editor's placeholder is null or -1; a bound under the smallest active window is refused.</summary>
    private static int MaxSyncTokens(SettingReader r, int current, SettingsProblems problems)
    {
        int value = r.IntOrDefault("maxSyncTokens", current, ServerSettings.Default.Completion.MaxSyncTokens, unset: -1, 0, 1 << 24);
        if (value is > 0 and < CompletionSection.MinMaxSyncTokens)
        {
            problems.Warn($"completion.maxSyncTokens: {value} is too small to hold the active document's window (0 turns the bound off; at least {CompletionSection.MinMaxSyncTokens}); kept {current}");
            return current;
        }

        return value;
    }
}

/// <summary>
/// <c>{"context": {"format", "layout", "suffixLines", "cursorLineInMiddle", "keepClosedFiles", "generationReserve", "prefixChunkLines"}}</c>.
/// </summary>
public sealed class ContextSettingsSection : ISettingsSection
{
    public string Name => "context";

    public ServerSettings Bind(ServerSettings current, JsonElement section, SettingsProblems problems)
    {
        var r = new SettingReader(Name, section, problems);
        ContextSettings p = current.Context.Plan;
        int suffixLines = r.Int("suffixLines", p.SuffixLines ?? -1, -1, 100_000);
        p = p with
        {
            Format = r.Choice("format", p.Format, PromptFormats.Names, PromptFormats.Auto),
            Layout = r.Enum("layout", p.Layout),
            SuffixLines = suffixLines < 0 ? null : suffixLines,
            CursorLineInMiddle = r.Bool("cursorLineInMiddle", p.CursorLineInMiddle),
            KeepClosedFiles = r.Bool("keepClosedFiles", p.KeepClosedFiles),
            GenerationReserve = r.Int("generationReserve", p.GenerationReserve, 0),
            PrefixChunkLines = r.Int("prefixChunkLines", p.PrefixChunkLines, 1),
        };
        return current with { Context = new ContextSection(p) };
    }
}
