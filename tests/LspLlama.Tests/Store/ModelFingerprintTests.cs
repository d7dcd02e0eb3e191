using LspLlama.Store;
using Xunit;

namespace LspLlama.Tests.Store;

public sealed class ModelFingerprintTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;
    private readonly DateTime _modified = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public ModelFingerprintTests()
    {
        Directory.CreateDirectory(_folder.Path);
        _model = Path.Combine(_folder.Path, "model.gguf");
        File.WriteAllBytes(_model, StoreData.Bytes(3 * ModelFingerprint.SampleBytes + 5, 1));
        File.SetLastWriteTimeUtc(_model, _modified);
    }

    public void Dispose() => _folder.Dispose();

    private ModelFingerprint Patched(long offset)
    {
        using (FileStream file = new(_model, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = offset;
            int b = file.ReadByte();
            file.Position = offset;
            file.WriteByte((byte)(b ^ 0xff));
        }

        File.SetLastWriteTimeUtc(_model, _modified);
        return ModelFingerprint.Compute(_model);
    }

    [Fact]
    public void The_same_file_gives_the_same_fingerprint()
    {
        ModelFingerprint first = ModelFingerprint.Compute(_model);
        Assert.Equal(first, ModelFingerprint.Compute(_model));
        Assert.Equal(3 * ModelFingerprint.SampleBytes + 5, first.Size);
        Assert.Equal(_modified.Ticks, first.LastWriteUtcTicks);
        Assert.Equal(Path.GetFullPath(_model), first.Path);
    }

    [Fact]
    public void A_change_in_the_metadata_or_the_tail_changes_the_hash()
    {
        ulong original = ModelFingerprint.Compute(_model).ContentHash;
        Assert.NotEqual(original, Patched(100).ContentHash);
        Patched(100);
        Assert.NotEqual(original, Patched(new FileInfo(_model).Length - 10).ContentHash);
    }

    [Fact]
    public void The_middle_is_not_read_so_only_size_and_time_cover_it()
    {
        ulong original = ModelFingerprint.Compute(_model).ContentHash;
        Assert.Equal(original, Patched(ModelFingerprint.SampleBytes + 100).ContentHash);
    }

    [Fact]
    public void A_small_file_is_hashed_whole()
    {
        string small = Path.Combine(_folder.Path, "small.gguf");
        File.WriteAllBytes(small, [1, 2, 3]);
        ModelFingerprint a = ModelFingerprint.Compute(small);
        File.WriteAllBytes(small, [1, 2, 4]);
        Assert.NotEqual(a.ContentHash, ModelFingerprint.Compute(small).ContentHash);
    }
}
