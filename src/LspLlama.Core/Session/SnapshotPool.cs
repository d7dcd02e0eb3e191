namespace LspLlama.Core.Session;

/// <summary>
/// Buffers for checkpoint data, reused so that taking a checkpoint allocates nothing once the
/// session has warmed up. Recurrent states have a fixed size, so a freed buffer fits the next
/// checkpoint exactly; sliding-window states vary a little and take the smallest buffer that fits.
/// </summary>
public sealed class SnapshotPool
{
    private readonly List<byte[]> _free = [];

    /// <summary>Bytes held by free buffers.</summary>
    public long FreeBytes { get; private set; }

    /// <summary>The length of the buffer <see cref="Rent"/> would return for <paramref name="size"/> bytes.</summary>
    public int CapacityFor(int size)
    {
        int i = FindFit(size);
        return i < 0 ? size : _free[i].Length;
    }

    /// <param name="fresh">True when the buffer is new: its first write pays the kernel's page faults, a pooled one is warm.</param>
    public byte[] Rent(int size, out bool fresh)
    {
        int i = FindFit(size);
        fresh = i < 0;
        if (fresh)
        {
            // Uninitialized: the state is written over it at once, and zeroing 150 MiB costs as much as the copy.
            return GC.AllocateUninitializedArray<byte>(size);
        }

        byte[] buffer = _free[i];
        _free.RemoveAt(i);
        FreeBytes -= buffer.Length;
        return buffer;
    }

    public void Return(byte[] buffer)
    {
        _free.Add(buffer);
        FreeBytes += buffer.Length;
    }

    /// <summary>Drops free buffers, largest first, until at most <paramref name="maxFreeBytes"/> remain.</summary>
    /// <returns>The bytes dropped.</returns>
    public long Trim(long maxFreeBytes)
    {
        long dropped = 0;
        while (FreeBytes > maxFreeBytes && _free.Count > 0)
        {
            int largest = 0;
            for (int i = 1; i < _free.Count; i++)
            {
                if (_free[i].Length > _free[largest].Length)
                {
                    largest = i;
                }
            }

            FreeBytes -= _free[largest].Length;
            dropped += _free[largest].Length;
            _free.RemoveAt(largest);
        }

        return dropped;
    }

    private int FindFit(int size)
    {
        int best = -1;
        for (int i = 0; i < _free.Count; i++)
        {
            int length = _free[i].Length;
            if (length >= size && (best < 0 || length < _free[best].Length))
            {
                best = i;
            }
        }

        return best;
    }
}
