using System.Diagnostics;
using LspLlama.Core.Context;
using LspLlama.Engine;
using LspLlama.ModelFiles;
using LspLlama.Store;
using LspLlama.Tests.Bench;
using LspLlama.Tests.Store;
using Xunit;

namespace LspLlama.Tests.ModelFiles;

/// <summary>
/// FIFOs and devices where a document, a model or a session file is expected: refused after a
/// stat, never opened (a FIFO's open blocks until a writer comes; <c>/dev/zero</c> never ends).
/// Each call runs with a deadline, so a regression fails instead of hanging the suite.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);
    private readonly TempFolder _folder = new();

    public SpecialFileTests() => Directory.CreateDirectory(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Only_regular_files_are_read_and_every_read_stops_at_its_limit()
    {
        string fifo = MakeFifo("pipe");
        string big = Path.Combine(_folder.Path, "big.txt");
        await File.WriteAllTextAsync(big, new string('x', 5000));

        Assert.Contains("FIFO", RegularFile.NotRegular(fifo), StringComparison.Ordinal);
        Assert.Contains("character device", RegularFile.NotRegular("/dev/zero"), StringComparison.Ordinal);
        Assert.Contains("folder", RegularFile.NotRegular(_folder.Path), StringComparison.Ordinal);
        Assert.Null(RegularFile.NotRegular(big));
        Assert.Null(RegularFile.NotRegular(Path.Combine(_folder.Path, "missing")));

        Assert.Null(await WithDeadline(() => RegularFile.ReadAllBytes(fifo, 1 << 20)));
        Assert.Null(await WithDeadline(() => RegularFile.ReadAllBytes("/dev/zero", 1 << 20)));
        Assert.Null(RegularFile.ReadAllBytes(big, 4999));
        Assert.Equal(5000, RegularFile.ReadAllBytes(big, 5000)!.Length);
    }

    [Fact]
    public async Task The_open_itself_refuses_a_fifo_or_a_device_so_a_swap_after_the_stat_cannot_hang_it()
    {
        // What a file swapped for a FIFO between the stat and the open looks like to the open.
        string fifo = MakeFifo("swapped");
        IOException pipe = await Assert.ThrowsAsync<IOException>(() => WithDeadline(() => RegularFile.OpenRead(fifo)));
        Assert.Contains("not a regular file", pipe.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(() => WithDeadline(() => RegularFile.OpenRead("/dev/zero")));
        await Assert.ThrowsAsync<FileNotFoundException>(() => WithDeadline(() => RegularFile.OpenRead(Path.Combine(_folder.Path, "missing"))));

        string plain = Path.Combine(_folder.Path, "plain.txt");
        await File.WriteAllTextAsync(plain, "abc");
        using FileStream stream = RegularFile.OpenRead(plain);
        Assert.Equal((byte)'a', stream.ReadByte());
    }

    [Fact]
    public async Task A_fifo_or_a_device_as_the_model_gets_a_clear_message()
    {
        string fifo = MakeFifo("model.gguf");
        InvalidModelFileException pipe = await Assert.ThrowsAsync<InvalidModelFileException>(() => WithDeadline(() => GgufHeader.Read(fifo)));
        Assert.Contains("not a regular file (a FIFO)", pipe.Message, StringComparison.Ordinal);
        InvalidModelFileException zero = await Assert.ThrowsAsync<InvalidModelFileException>(() => WithDeadline(() => GgufHeader.Read("/dev/zero")));
        Assert.Contains("character device", zero.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_where_the_session_file_is_is_not_opened()
    {
        var log = new RecordingLogger();
        var store = new SessionStore(new StoreOptions(_folder.Path, 64), log);
        string path = store.PathFor(StoreData.Key());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        MakeFifo(path);

        Assert.Null(await WithDeadline(() => store.TryOpen(StoreData.Key())));
        Assert.True(File.Exists(path), "the FIFO the store did not make is left alone");
    }

    [Fact]
    public async Task A_closed_document_at_a_device_or_a_fifo_keeps_the_editors_text()
    {
        string fifo = MakeFifo("doc.py");
        var plan = new ContextPlan(new ReplayByteTokenizer(), new ContextSettings { ContextSize = 8192, GenerationReserve = 256 });
        foreach (string path in new[] { "/dev/zero", fifo })
        {
            plan.Open(new Uri(path).AbsoluteUri, path, "editor text\n");
        }

        plan.Open("file:///active.py", "/active.py", "main()\n");
        plan.SetActive("file:///active.py", 0);
        plan.Close(new Uri("/dev/zero").AbsoluteUri);
        plan.Close(new Uri(fifo).AbsoluteUri);

        var disk = new ClosedFilesOnDisk(new RecordingLogger(), TimeSpan.Zero);
        Assert.Empty(await WithDeadline(() => disk.Refresh(plan)));
        Assert.Equal("editor text\n", plan.GetClosedText(new Uri("/dev/zero").AbsoluteUri));
        Assert.Equal("editor text\n", plan.GetClosedText(new Uri(fifo).AbsoluteUri));
    }

    private string MakeFifo(string nameOrPath)
    {
        string path = Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.Combine(_folder.Path, nameOrPath);
        using Process mkfifo = Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    private static Task<T> WithDeadline<T>(Func<T> read) => Task.Run(read).WaitAsync(s_deadline);
}
