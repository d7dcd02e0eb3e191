namespace LspLlama.Core.Session;

/// <summary>
/// A saved partial state: the memory after decoding the first <see cref="Position"/> tokens of the
/// held sequence. <see cref="Data"/> is a pooled buffer of which <see cref="Length"/> bytes are used.
/// </summary>
/// <param name="Created">Creation order, for first-in-first-out policies.</param>
public readonly record struct Checkpoint(int Position, byte[] Data, int Length, long Created)
{
    /// <summary>Memory the checkpoint holds (its whole buffer, not just the used part).</summary>
    public long Bytes => Data.Length;
}
