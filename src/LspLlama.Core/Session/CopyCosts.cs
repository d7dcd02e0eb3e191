using System.Diagnostics;

namespace LspLlama.Core.Session;

/// <summary>
/// What a token and a checkpoint copy cost on this machine and model, measured by the session as it
/// works: a checkpoint save pays only when the re-decoding it spares costs more than the copy.
/// On a GPU a batch of ten tokens costs little more than one while a 150 MiB state crosses the bus
/// slowly; on a CPU a recurrent token reads and writes the whole state, so it costs about two
/// copies. Which one wins is measured, not assumed.
/// </summary>
public sealed class CopyCosts
{
    // Batches this long measure the marginal cost of a token, not the fixed cost of a decode call.
    private const int MarginalBatchTokens = 32;

    // Below this a save is a fixed call overhead, not a copy: its time is noise against a tiny
    // model's tokens and would make the keystroke rule depend on the machine's load.
    private const long NegligibleStateBytes = 1024 * 1024;

    private long _allTicks;
    private long _allTokens;
    private long _batchTicks;
    private long _batchTokens;
    private long _saveTicks;
    private long _savedBytes;

    /// <summary>Average seconds a decoded token cost so far; 0 before any decode.</summary>
    public double SecondsPerToken => _allTokens == 0 ? 0 : Seconds(_allTicks) / _allTokens;

    /// <summary>Seconds one more token costs inside a long batch (the average where no long batch ran yet).</summary>
    public double MarginalSecondsPerToken => _batchTokens == 0 ? SecondsPerToken : Seconds(_batchTicks) / _batchTokens;

    public void Decoded(int tokens, long ticks)
    {
        _allTokens += tokens;
        _allTicks += ticks;
        if (tokens >= MarginalBatchTokens)
        {
            _batchTokens += tokens;
            _batchTicks += ticks;
        }
    }

    public void Saved(long bytes, long ticks)
    {
        _savedBytes += bytes;
        _saveTicks += ticks;
    }

    /// <summary>
    /// How many tokens of decoding one save of <paramref name="bytes"/> costs; 0 until both a save
    /// and a decode were measured, and for states under a MiB (a save is then taken as free).
    /// </summary>
    public double SaveCostTokens(long bytes)
    {
        double token = MarginalSecondsPerToken;
        if (_savedBytes == 0 || token <= 0 || bytes < NegligibleStateBytes)
        {
            return 0;
        }

        double save = Seconds(_saveTicks) * bytes / _savedBytes;
        return save / token;
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
