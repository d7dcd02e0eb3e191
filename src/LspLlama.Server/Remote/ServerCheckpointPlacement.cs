using LspLlama.Core.Session;

namespace LspLlama.Remote;

/// <summary>
/// Gets llama-server's checkpoints where LspLlama's policy wants them. The server saves a
/// checkpoint only near the end of each prompt it processes (4 tokens and 4 + n_ubatch before it),
/// so an edit in another file or a jump in the active one, which change the prompt far from its end,
/// decode it from position 0 on a recurrent or hybrid model. A prefill (<c>n_predict</c> 0) of the
/// prompt up to 4 tokens past a segment start leaves a checkpoint at that start; the completion then
/// continues from there (the slot's cache is a prefix of its prompt), so the prefill costs a round
/// trip, not a decode. Placed starts are remembered while the prompt keeps them, as the server does.
/// A start inside what the slot already holds unchanged is left alone: a prefill ending there would
/// make the server cut its cache back, which a recurrent state cannot do without a checkpoint.
/// </summary>
public sealed class ServerCheckpointPlacement(int microBatch, int minSpacing)
{
    /// <summary>How far before the end of a prompt llama-server saves its last checkpoint.</summary>
    public const int ServerEndOffset = 4;

    private readonly List<int> _placed = [];
    private int[] _previous = [];

    /// <summary>Checkpoint positions placed so far that the server still holds (for tests and the log).</summary>
    public IReadOnlyList<int> Placed => _placed;

    /// <summary>
    /// The prefill lengths to send before <paramref name="prompt"/>, shortest first: one for each
    /// segment start past what the slot holds unchanged, with no checkpoint within <c>minSpacing</c>,
    /// that the prompt's own end checkpoints do not cover. Marks them placed: call once per prompt sent.
    /// </summary>
    public IReadOnlyList<int> Prefills(int[] prompt, SyncHints hints)
    {
        // The server drops checkpoints past the prefix its cache shares with the new prompt.
        int common = prompt.AsSpan().CommonPrefixLength(_previous);
        _placed.RemoveAll(p => p > common);
        _previous = prompt;
        int covered = prompt.Length - ServerEndOffset - microBatch - minSpacing;
        var prefills = new List<int>();
        foreach (int start in hints.SegmentStarts.Order())
        {
            if (start <= 0 || start + ServerEndOffset <= common || start >= covered || _placed.Exists(p => Math.Abs(p - start) < minSpacing))
            {
                continue;
            }

            _placed.Add(start);
            prefills.Add(start + ServerEndOffset);
        }

        return prefills;
    }

    /// <summary>A request failed: the server may hold none of what was planned.</summary>
    public void Forget()
    {
        _placed.Clear();
        _previous = [];
    }
}
