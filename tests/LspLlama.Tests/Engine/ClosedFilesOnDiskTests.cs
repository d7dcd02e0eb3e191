using LspLlama.Core.Context;
using LspLlama.Engine;
using LspLlama.Store;
using LspLlama.Tests.Bench;
using LspLlama.Tests.Store;
using Xunit;

namespace LspLlama.Tests.Engine;

/// <summary>Closed files kept as context follow the disk: changed files take the new text, deleted ones leave.</summary>
public sealed class ClosedFilesOnDiskTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();
    private readonly ContextPlan _plan = new(new ReplayByteTokenizer(), new ContextSettings { ContextSize = 8192, GenerationReserve = 256 });

    public ClosedFilesOnDiskTests() => Directory.CreateDirectory(_folder.Path);

    public void Dispose() => _folder.Dispose();

    private string File(string name) => Path.Combine(_folder.Path, name);

    private static string Uri(string path) => new Uri(path).AbsoluteUri;

    /// <summary>New text of the same length under the same write time: a stat cannot tell, only a read.</summary>
    private static void RewriteKeepingTheStat(string path, string text)
    {
        DateTime written = System.IO.File.GetLastWriteTimeUtc(path);
        Assert.Equal(new FileInfo(path).Length, System.Text.Encoding.UTF8.GetByteCount(text));
        System.IO.File.WriteAllText(path, text);
        System.IO.File.SetLastWriteTimeUtc(path, written);
    }

    /// <summary>Opens the files with their disk text, makes the last active, closes the others.</summary>
    private void OpenThenCloseAllButLast(params (string Name, string Text)[] files)
    {
        foreach ((string name, string text) in files)
        {
            System.IO.File.WriteAllText(File(name), text);
            _plan.Open(Uri(File(name)), File(name), text);
        }

        _plan.SetActive(Uri(File(files[^1].Name)), 0);
        foreach ((string name, _) in files[..^1])
        {
            _plan.Close(Uri(File(name)));
        }
    }

    [Fact]
    public void A_closed_file_changed_on_disk_takes_the_new_text_in_its_place()
    {
        OpenThenCloseAllButLast(("a.py", "alpha = 1\nbeta = 2\n"), ("b.py", "gamma = 3\n"), ("c.py", "main()\n"));
        PlanBuild before = _plan.Build();
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);
        Assert.Empty(disk.Refresh(_plan));

        System.IO.File.WriteAllText(File("a.py"), "alpha = 1\nbeta = 20\n");
        Assert.Single(disk.Refresh(_plan));
        Assert.Equal("alpha = 1\nbeta = 20\n", _plan.GetClosedText(Uri(File("a.py"))));
        PlanBuild after = _plan.Build();

        // In its place: the tokens before the changed line are kept, and the order is the same.
        Assert.Equal(before.Segments.Select(s => s.Uri), after.Segments.Select(s => s.Uri));
        string kept = new([.. before.Tokens.Span[..after.FirstChanged].ToArray().Select(t => (char)t)]);
        Assert.EndsWith("alpha = 1\nbeta = 2", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_file_deleted_from_disk_leaves_the_plan_and_other_schemes_are_left_alone()
    {
        OpenThenCloseAllButLast(("a.py", "alpha = 1\n"), ("c.py", "main()\n"));
        _plan.Open("untitled:Untitled-1", "Untitled-1", "scratch\n");
        _plan.Close("untitled:Untitled-1");
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);

        System.IO.File.Delete(File("a.py"));
        Assert.Single(disk.Refresh(_plan));
        Assert.Equal(["untitled:Untitled-1"], _plan.KeptClosedUris);
        Assert.Equal([Uri(File("c.py")), "untitled:Untitled-1"], _plan.Build().Segments.Select(s => s.Uri).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_file_is_read_again_only_when_its_size_or_time_changes_or_after_it_was_closed_again()
    {
        OpenThenCloseAllButLast(("a.py", "alpha = 1\n"), ("c.py", "main()\n"));
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);
        disk.Refresh(_plan);

        // Same length, same write time: not read (a stat is all a look costs).
        RewriteKeepingTheStat(File("a.py"), "alpha = 2\n");
        Assert.Empty(disk.Refresh(_plan));
        Assert.Equal("alpha = 1\n", _plan.GetClosedText(Uri(File("a.py"))));

        // Closed again (say, with changes discarded): read whatever the stat says.
        disk.Forget(Uri(File("a.py")));
        Assert.Single(disk.Refresh(_plan));
        Assert.Equal("alpha = 2\n", _plan.GetClosedText(Uri(File("a.py"))));
    }

    [Fact]
    public void Files_seen_before_are_looked_at_once_per_interval_and_files_closed_since_at_once()
    {
        OpenThenCloseAllButLast(("a.py", "alpha = 1\n"), ("c.py", "main()\n"));
        ClosedFilesOnDisk disk = new(_log, TimeSpan.FromHours(1));
        Assert.Empty(disk.Refresh(_plan));
        System.IO.File.Delete(File("a.py"));
        Assert.Empty(disk.Refresh(_plan));
        Assert.Equal([Uri(File("a.py"))], _plan.KeptClosedUris);

        System.IO.File.WriteAllText(File("d.py"), "delta = 4\n");
        _plan.Open(Uri(File("d.py")), File("d.py"), "delta = 4 # unsaved\n");
        _plan.Close(Uri(File("d.py")));
        Assert.Single(disk.Refresh(_plan));
        Assert.Equal("delta = 4\n", _plan.GetClosedText(Uri(File("d.py"))));
    }

    [Fact]
    public void A_file_that_cannot_be_read_now_is_read_at_the_next_look()
    {
        OpenThenCloseAllButLast(("a.py", "alpha = 1\n"), ("c.py", "main()\n"));
        System.IO.File.WriteAllText(File("a.py"), "alpha = 2\n");
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);
        using (new FileStream(File("a.py"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Empty(disk.Refresh(_plan));
        }

        Assert.Single(disk.Refresh(_plan));
        Assert.Equal("alpha = 2\n", _plan.GetClosedText(Uri(File("a.py"))));
    }

    [Fact]
    public void Files_that_are_not_utf8_or_cannot_be_paths_are_left_as_the_editor_had_them()
    {
        OpenThenCloseAllButLast(("a.py", "caf\u00e9 = 1\n"), ("c.py", "main()\n"));
        System.IO.File.WriteAllBytes(File("a.py"), [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'\n']); // Latin-1
        _plan.Open("file:///x%00y.py", "/x\0y.py", "nul = 0\n");
        _plan.Close("file:///x%00y.py");
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);

        Assert.Empty(disk.Refresh(_plan));
        Assert.Equal("caf\u00e9 = 1\n", _plan.GetClosedText(Uri(File("a.py"))));
        Assert.Equal("nul = 0\n", _plan.GetClosedText("file:///x%00y.py"));

        // Not read again while its stat stays the same (else every build would read it).
        RewriteKeepingTheStat(File("a.py"), "cafe\n");
        Assert.Empty(disk.Refresh(_plan));
    }

    [Fact]
    public void Stored_files_are_laid_out_from_disk_in_order_and_the_ones_gone_or_unreadable_are_left_out()
    {
        System.IO.File.WriteAllText(File("a.py"), "alpha = 1\n");
        System.IO.File.WriteAllBytes(File("latin.py"), [0xE9, (byte)'\n']);
        System.IO.File.WriteAllText(File("b.py"), "beta = 2\n");
        StoredDocument[] stored = [.. new[] { Uri(File("a.py")), Uri(File("gone.py")), Uri(File("latin.py")), "untitled:Untitled-1", Uri(File("b.py")) }.Select(u => new StoredDocument(u, true))];
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);

        Assert.Equal(2, disk.LayOut(_plan, stored));
        Assert.Equal([Uri(File("a.py")), Uri(File("b.py"))], _plan.Build().Segments.Select(s => s.Uri));
        Assert.Contains(_log.Entries, e => e.Message.StartsWith("Laid out 2 of the 5 files", StringComparison.Ordinal));

        // What was read is what the stat said: a look at the same stat reads nothing again.
        RewriteKeepingTheStat(File("a.py"), "alpha = 3\n");
        Assert.Empty(disk.Refresh(_plan));
    }

    [Fact]
    public void Nothing_is_laid_out_when_the_plan_keeps_no_closed_files()
    {
        System.IO.File.WriteAllText(File("a.py"), "alpha = 1\n");
        ContextPlan plan = new(new ReplayByteTokenizer(), new ContextSettings { KeepClosedFiles = false });
        Assert.Equal(0, new ClosedFilesOnDisk(_log, TimeSpan.Zero).LayOut(plan, [new StoredDocument(Uri(File("a.py")), true)]));
        Assert.Equal(0, plan.KeptClosedCount);
    }

    [Theory]
    [InlineData(true, "a\nb\n")] // held without CR (Emacs): laid out as that editor will send it
    [InlineData(false, "a\r\nb\r\n")]
    public void A_crlf_file_is_laid_out_with_the_line_ends_its_text_had_before(bool withoutCr, string expected)
    {
        System.IO.File.WriteAllText(File("crlf.py"), "a\r\nb\r\n");
        ClosedFilesOnDisk disk = new(_log, TimeSpan.Zero);
        Assert.Equal(1, disk.LayOut(_plan, [new StoredDocument(Uri(File("crlf.py")), withoutCr)]));
        Assert.Equal(expected, _plan.GetClosedText(Uri(File("crlf.py"))));
    }

    [Theory]
    [InlineData("a\nb\n", "a\r\nb\r\n", "a\nb\n")] // held without CR (Emacs): CRLF on disk is the same file
    [InlineData("a\r\nb\r\n", "a\r\nb\r\n", "a\r\nb\r\n")]
    [InlineData("a\r\nb\r\n", "a\nb\n", "a\nb\n")]
    [InlineData("a\nb\n", "a\r\nc\r\n", "a\nc\n")]
    public void Line_ends_compare_as_the_editor_holds_them(string held, string disk, string expected) =>
        Assert.Equal(expected, ClosedFilesOnDisk.AsHeld(held, disk));
}
