using LspLlama.Core.Session;

namespace LspLlama.Engine;

/// <summary>
/// Sums the steps of a stepped sync (a long sync done to growing prefixes, so that progress can be
/// reported between them) into the figures of one sync to the whole sequence.
/// </summary>
public sealed class SteppedSync(int desired)
{
    private SyncFigures? _first;
    private SyncFigures _sum;

    /// <summary>The figures so far; null before a step ran.</summary>
    public SyncFigures? Total => _first is null ? null : _sum;

    public void Add(SyncFigures step)
    {
        if (_first is not { } first)
        {
            _first = step;
            _sum = step with { Desired = desired, Ideal = desired - step.CommonPrefix };
            return;
        }

        _sum = step with
        {
            Desired = desired,
            Held = first.Held,
            CommonPrefix = first.CommonPrefix,
            Kept = first.Kept,
            RestoredFrom = first.RestoredFrom,
            Ideal = desired - first.CommonPrefix,
            Decoded = _sum.Decoded + step.Decoded,
            Decoding = _sum.Decoding + step.Decoding,
            Saving = _sum.Saving + step.Saving,
            Restoring = _sum.Restoring + step.Restoring,
            CheckpointsSaved = _sum.CheckpointsSaved + step.CheckpointsSaved,
            Traffic = _sum.Traffic + step.Traffic,
        };
    }
}
