using LspLlama.Core.Context;
using LspLlama.Engine;
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
        Assert.Equal(0, disk.Refresh(_plan));

        System.IO.File.WriteAllText(File("a.py"), "alpha = 1\nbeta = 20\n");
        Assert.Equal(1, disk.Refresh(_plan));
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
        Assert.Equal(1, disk.Refresh(_plan));
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
        DateTime written = System.IO.File.GetLastWriteTimeUtc(File("a.py"));
        System.IO.File.WriteAllText(File("a.py"), "alpha = 2\n");
        System.IO.File.SetLastWriteTimeUtc(File("a.py"), written);
        Assert.Equal(0, disk.Refresh(_plan));
        Assert.Equal("alpha = 1\n", _plan.GetClosedText(Uri(File("a.py"))));

        // Closed again (say, with changes discarded): read whatever the stat says.
        disk.Forget(Uri(File("a.py")));
        Assert.Equal(1, disk.Refresh(_plan));
        Assert.Equal("alpha = 2\n", _plan.GetClosedText(Uri(File("a.py"))));
    }

    [Fact]
    public void Files_seen_before_are_looked_at_once_per_interval_and_files_closed_since_at_once()
    {
        OpenThenCloseAllButLast(("a.py", "alpha = 1\n"), ("c.py", "main()\n"));
        ClosedFilesOnDisk disk = new(_log, TimeSpan.FromHours(1));
        Assert.Equal(0, disk.Refresh(_plan));
        System.IO.File.Delete(File("a.py"));
        Assert.Equal(0, disk.Refresh(_plan));
        Assert.Equal([Uri(File("a.py"))], _plan.KeptClosedUris);

        System.IO.File.WriteAllText(File("d.py"), "delta = 4\n");
        _plan.Open(Uri(File("d.py")), File("d.py"), "delta = 4 # unsaved\n");
        _plan.Close(Uri(File("d.py")));
        Assert.Equal(1, disk.Refresh(_plan));
        Assert.Equal("delta = 4\n", _plan.GetClosedText(Uri(File("d.py"))));
    }

    [Theory]
    [InlineData("a\nb\n", "a\r\nb\r\n", "a\nb\n")] // held without CR (Emacs): CRLF on disk is the same file
    [InlineData("a\r\nb\r\n", "a\r\nb\r\n", "a\r\nb\r\n")]
    [InlineData("a\r\nb\r\n", "a\nb\n", "a\nb\n")]
    [InlineData("a\nb\n", "a\r\nc\r\n", "a\nc\n")]
    public void Line_ends_compare_as_the_editor_holds_them(string held, string disk, string expected) =>
        Assert.Equal(expected, ClosedFilesOnDisk.AsHeld(held, disk));
}
