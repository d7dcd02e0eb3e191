using LspLlama.Core.Session;

namespace LspLlama.Remote;

/// <summary>
/// The session backend of a remote engine: it decodes nothing here. The <see cref="ModelSession"/>
/// over it keeps the tokens last planned for the server's slot (prompt and accepted generated
/// tokens), so the serving path, its figures and its rollback rule stay the same as in-process;
/// the server keeps its own cache and finds the common prefix itself (<c>cache_prompt</c>).
/// Any cut succeeds: the server, not this mirror, decides what it must decode again.
/// </summary>
public sealed class RemoteSlotMirror(int contextSize, int batchSize) : ISessionBackend
{
    public MemoryKind MemoryKind => MemoryKind.Attention;

    public int SlidingWindow => 0;

    public int ContextSize => contextSize;

    public int BatchSize => batchSize;

    public int MicroBatchSize => batchSize;

    public void Decode(ReadOnlySpan<int> tokens, int startPosition)
    {
    }

    public bool TryRemoveTail(int fromPosition) => true;

    public void Clear()
    {
    }

    public int SequenceMinPosition() => 0;

    public int PartialStateSize() => 0;

    public int SavePartialState(Span<byte> destination) => 0;

    public bool RestorePartialState(ReadOnlySpan<byte> source) => false;
}

/// <summary>The remote engine keeps its own checkpoints (llama-server's near the end of each prompt); none are kept here.</summary>
public sealed class ServerSideCheckpoints : ICheckpointPolicy
{
    public string Name => "server";

    public long MemoryBudgetBytes => 0;

    public void PlanSaves(in SavePlan plan, IReadOnlyList<Checkpoint> kept, List<int> positions)
    {
    }

    public Admission Admit(in SavePlan plan, IReadOnlyList<Checkpoint> kept, int position, long bytes) => Admission.Skip;
}
