using System.Runtime.InteropServices;
using LLama.Native;
using LspLlama.Core.Session;
using LspLlama.Native;

namespace LspLlama.Store;

/// <summary>
/// Moves a llama context's sequence state between the context and the store: the full state
/// (flags 0) through one native buffer, never a managed copy, and the model session's
/// checkpoints as they are.
/// </summary>
public static unsafe class LlamaStateTransfer
{
    /// <summary>
    /// Copies the full state of <paramref name="sequence"/> into a new native buffer. Fast (memory
    /// speed), so the worker can do it between jobs and leave the disk write to a background save.
    /// Null when llama.cpp reports no state or a short write.
    /// </summary>
    public static NativeStateBuffer? CaptureFullState(SafeLLamaContextHandle context, int sequence)
    {
        long size = LlamaSequenceState.GetSize(context, sequence, StateSeqFlags.None);
        if (size <= 0)
        {
            return null;
        }

        NativeStateBuffer buffer;
        try
        {
            buffer = new NativeStateBuffer(size);
        }
        catch (OutOfMemoryException)
        {
            // A state of several GB on a busy machine: skip this save rather than fail the worker.
            return null;
        }

        nuint written = LlamaApi.StateSeqGetDataExt(context.DangerousGetHandle(), (byte*)buffer.Pointer, (nuint)size, sequence, (uint)StateSeqFlags.None);
        GC.KeepAlive(context);
        if ((long)written != size)
        {
            buffer.Dispose();
            return null;
        }

        return buffer;
    }

    /// <summary>
    /// Builds the snapshot of a model session whose full state is in <paramref name="state"/>.
    /// With <paramref name="copyCheckpoints"/> the checkpoint bytes are copied, which a background
    /// save needs because the session recycles its checkpoint buffers; a save on the worker
    /// itself can pass false.
    /// </summary>
    public static SessionSnapshot Snapshot(ReadOnlySpan<int> held, IReadOnlyList<Checkpoint> checkpoints, NativeStateBuffer state, bool copyCheckpoints)
    {
        CheckpointSource[] sources = new CheckpointSource[checkpoints.Count];
        for (int i = 0; i < sources.Length; i++)
        {
            Checkpoint checkpoint = checkpoints[i];
            ReadOnlyMemory<byte> data = copyCheckpoints
                ? checkpoint.Data.AsSpan(0, checkpoint.Length).ToArray()
                : checkpoint.Data.AsMemory(0, checkpoint.Length);

            // The session's checkpoints hold the memory after Position tokens, so the last position
            // they cover is Position - 1 (recurrent and hybrid memory keep only that one).
            sources[i] = new CheckpointSource(checkpoint.Position, checkpoint.Position - 1, checkpoint.Position - 1, BlobSource.FromBytes(data));
        }

        return new SessionSnapshot(held.ToArray(), NativeBlobs.FromPointer(state.Pointer, state.Length), sources);
    }

    /// <summary>
    /// Loads the stored full state into <paramref name="sequence"/> and reads the checkpoints.
    /// Null when anything fails (checksum, llama.cpp rejecting the state); the sequence is then
    /// cleared, since a partly applied state would be worse than none.
    /// </summary>
    public static RestoredSession? Restore(StoredSession stored, SafeLLamaContextHandle context, int sequence)
    {
        NativeStateBuffer buffer;
        try
        {
            buffer = new NativeStateBuffer(Math.Max(1, stored.StateLength));
        }
        catch (OutOfMemoryException)
        {
            return null;
        }

        using (buffer)
        {
            if (!stored.TryReadState(s => NativeBlobs.ReadInto(s, buffer.Pointer, stored.StateLength)))
            {
                return null;
            }

            nuint read = LlamaApi.StateSeqSetDataExt(context.DangerousGetHandle(), (byte*)buffer.Pointer, (nuint)stored.StateLength, sequence, (uint)StateSeqFlags.None);
            GC.KeepAlive(context);
            if (read == 0)
            {
                LlamaMemory.SequenceRemove(context, sequence, -1, -1);
                stored.Reject("llama.cpp rejected its state");
                return null;
            }
        }

        List<RestoredCheckpoint> checkpoints = new(stored.Checkpoints.Count);
        for (int i = 0; i < stored.Checkpoints.Count; i++)
        {
            byte[]? data = stored.ReadCheckpointBytes(i);
            if (data is null)
            {
                LlamaMemory.SequenceRemove(context, sequence, -1, -1);
                return null;
            }

            checkpoints.Add(new RestoredCheckpoint(stored.Checkpoints[i].Position, data));
        }

        return new RestoredSession([.. stored.Tokens], checkpoints);
    }
}

/// <summary>What a restored context holds: the tokens, and checkpoints for the model session to adopt.</summary>
public sealed record RestoredSession(int[] Held, IReadOnlyList<RestoredCheckpoint> Checkpoints);

/// <summary>A checkpoint read back from the store: the partial state after <see cref="Position"/> tokens.</summary>
public sealed record RestoredCheckpoint(int Position, byte[] Data);

/// <summary>Native memory for one full state; freed on dispose (pass Dispose as a background save's release).</summary>
public sealed unsafe class NativeStateBuffer : IDisposable
{
    private nint _pointer;

    public NativeStateBuffer(long length)
    {
        Length = length;
        _pointer = (nint)NativeMemory.Alloc((nuint)length);
    }

    public nint Pointer => _pointer != 0 ? _pointer : throw new ObjectDisposedException(nameof(NativeStateBuffer));

    public long Length { get; }

    public void Dispose()
    {
        nint pointer = Interlocked.Exchange(ref _pointer, 0);
        if (pointer != 0)
        {
            NativeMemory.Free((void*)pointer);
        }
    }
}
