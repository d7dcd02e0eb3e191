using System.Runtime.InteropServices;
using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed unsafe class NativeBlobsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Native_state_goes_to_disk_and_back_into_native_memory()
    {
        // As the adapter will do: get_data_ext fills native memory, the store writes it; on load
        // the store fills a fresh native buffer that set_data_ext then reads.
        byte[] expected = StoreData.Bytes(2_000_003, 7);
        nint source = (nint)NativeMemory.Alloc((nuint)expected.Length);
        nint target = (nint)NativeMemory.AllocZeroed((nuint)expected.Length);
        try
        {
            expected.CopyTo(new Span<byte>((void*)source, expected.Length));
            SessionStore store = new(new StoreOptions(_folder.Path), new RecordingLogger());
            Assert.True(store.Save(StoreData.Key(), new SessionSnapshot(new[] { 1 }, NativeBlobs.FromPointer(source, expected.Length), [])));

            using StoredSession stored = store.TryOpen(StoreData.Key())!;
            Assert.True(stored.TryReadState(s => NativeBlobs.ReadInto(s, target, stored.StateLength)));
            Assert.Equal(expected, new ReadOnlySpan<byte>((void*)target, expected.Length).ToArray());
        }
        finally
        {
            NativeMemory.Free((void*)source);
            NativeMemory.Free((void*)target);
        }
    }
}
