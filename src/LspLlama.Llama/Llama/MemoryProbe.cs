using LLama.Native;
using LspLlama.Core.Session;
using LspLlama.Native;

namespace LspLlama.Llama;

/// <summary>
/// Finds the memory kind of a fresh context by trying, as llama-server does (common.cpp): decode
/// two tokens, then ask to cut the second. A KV cache agrees; recurrent state refuses, unless the
/// context keeps rollback snapshots (qwen35 n_rs_seq), which the session then uses on its own by
/// always trying a cut first. The model's flags tell recurrent from hybrid.
/// </summary>
/// <param name="CutAccepted">Whether seq_rm(1, end) succeeded after two tokens.</param>
/// <param name="RollbackSnapshots">llama_n_rs_seq of the context (bounded recurrent rollback).</param>
public sealed record MemoryProbe(MemoryKind Kind, int SlidingWindow, bool CutAccepted, bool IsRecurrent, bool IsHybrid, int RollbackSnapshots)
{
    public static MemoryProbe Run(ISessionBackend backend, SafeLLamaContextHandle context)
    {
        SafeLlamaModelHandle model = context.ModelHandle;
        bool recurrent = LlamaModelFacts.IsRecurrent(model);
        bool hybrid = LlamaModelFacts.IsHybrid(model);
        int window = LlamaModelFacts.SlidingWindow(model);
        int snapshots = checked((int)context.RecurrentRollbackSnapshots);

        backend.Clear();
        backend.Decode([0, 0], 0);
        bool cut = backend.TryRemoveTail(1);
        backend.Clear();

        MemoryKind kind = (cut, recurrent, hybrid) switch
        {
            (_, true, _) => MemoryKind.Recurrent,
            (_, _, true) => MemoryKind.Hybrid,
            (false, _, _) => MemoryKind.Recurrent,
            _ => window > 0 ? MemoryKind.SlidingWindow : MemoryKind.Attention,
        };

        return new MemoryProbe(kind, kind == MemoryKind.SlidingWindow ? window : 0, cut, recurrent, hybrid, snapshots);
    }

    /// <summary>One line for the log and the status command.</summary>
    public string Describe() =>
        $"memory: {Kind} (tail cut {(CutAccepted ? "accepted" : "refused")}; recurrent {IsRecurrent}, hybrid {IsHybrid}" +
        (SlidingWindow > 0 ? $", sliding window {SlidingWindow}" : string.Empty) +
        (RollbackSnapshots > 0 ? $", rollback snapshots {RollbackSnapshots}" : string.Empty) + ")";
}
