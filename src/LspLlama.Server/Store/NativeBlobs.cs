namespace LspLlama.Store;

/// <summary>
/// Bridges the store's streams and native buffers (what llama_state_seq_get_data_ext fills and
/// llama_state_seq_set_data_ext reads), in spans of at most <see cref="SpanBytes"/> so states
/// above 2 GiB work and no managed copy is made.
/// </summary>
public static unsafe class NativeBlobs
{
    private const int SpanBytes = 1 << 30;

    /// <summary>Saves <paramref name="length"/> bytes at <paramref name="pointer"/>; the memory must stay valid until the save returns.</summary>
    public static BlobSource FromPointer(nint pointer, long length) =>
        new(length, destination =>
        {
            for (long offset = 0; offset < length; offset += SpanBytes)
            {
                int count = (int)Math.Min(SpanBytes, length - offset);
                destination.Write(new ReadOnlySpan<byte>((byte*)pointer + offset, count));
            }
        });

    /// <summary>Fills <paramref name="length"/> bytes at <paramref name="pointer"/> from a blob stream.</summary>
    public static void ReadInto(Stream source, nint pointer, long length)
    {
        for (long offset = 0; offset < length; offset += SpanBytes)
        {
            int count = (int)Math.Min(SpanBytes, length - offset);
            source.ReadExactly(new Span<byte>((byte*)pointer + offset, count));
        }
    }
}
