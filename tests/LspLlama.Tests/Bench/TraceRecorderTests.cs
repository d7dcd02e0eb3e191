using LspLlama.Traces;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class TraceRecorderTests
{
    private const string Uri = "file:///w/a.cs";

    [Fact]
    public void Recorded_traffic_reads_back_as_the_same_events_and_replays_to_the_same_text()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lspllama-recorder-{Guid.NewGuid():N}.jsonl");
        try
        {
            using (TraceRecorder recorder = TraceRecorder.Create(path))
            {
                recorder.Begin("/w", TraceHeader.Utf16);
                recorder.DidOpen(Uri, "csharp", 1, "class A\n{\n}\n");
                recorder.DidChange(Uri, 2, [
                    new TraceChange(TraceRange.At(new TracePosition(1, 1)), "\n    int x;"),
                    new TraceChange(new TraceRange(new TracePosition(0, 6), new TracePosition(0, 7)), "B"),
                ]);
                recorder.CursorMoved(Uri, new TracePosition(2, 10));
                recorder.CompletionRequested(Uri, new TracePosition(2, 10));
                recorder.DidChange(Uri, 3, [new TraceChange(null, "replaced \U0001F600")]);
                recorder.DidClose(Uri);
                Assert.True(recorder.IsRecording);
            }

            EditTrace trace = TraceFile.Read(path);
            Assert.Equal(TraceSource.Recorded, trace.Header.Source);
            Assert.Equal("/w", trace.Header.Workspace);
            Assert.Null(trace.Header.Generator);
            Assert.Equal(6, trace.Events.Count);
            Assert.Equal(new TraceCompletion(Uri, new TracePosition(2, 10)), trace.Events[3]);
            Assert.Empty(TracePlayback.Validate(trace));

            TracePlayback playback = new();
            foreach (TraceEvent e in trace.Events.Take(4))
            {
                playback.TryApply(e);
            }

            Assert.Equal("class B\n{\n    int x;\n}\n", playback.TextOf(Uri));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Each_event_is_on_disk_as_soon_as_it_is_recorded()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lspllama-recorder-{Guid.NewGuid():N}.jsonl");
        try
        {
            using TraceRecorder recorder = TraceRecorder.Create(path);
            recorder.Begin("/w", TraceHeader.Utf8);
            recorder.DidOpen(Uri, "csharp", 1, "x");

            // Read while the recorder still holds the file, as after a crash.
            using FileStream shared = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            EditTrace trace = TraceFile.Read(new StreamReader(shared), path);
            Assert.Equal(TraceHeader.Utf8, trace.Header.PositionEncoding);
            Assert.Equal([new TraceOpen(Uri, "csharp", 1, "x")], trace.Events);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_failing_disk_stops_recording_without_throwing_into_the_server()
    {
        // The header takes two writes and each event one: the second event fails.
        FailingWriter writer = new(failAfter: 3);
        TraceRecorder recorder = new(writer);
        recorder.DidOpen(Uri, "csharp", 1, "x");
        Assert.True(recorder.IsRecording);
        recorder.DidClose(Uri);
        Assert.False(recorder.IsRecording);

        // Later events are dropped quietly, and what was written is still a readable trace.
        recorder.DidOpen(Uri, "csharp", 2, "y");
        Assert.Equal(4, writer.Writes);
        Assert.Equal([new TraceOpen(Uri, "csharp", 1, "x")], TraceFile.Read(new StringReader(writer.ToString()), "t").Events);
        recorder.Dispose();
    }

    [Fact]
    public void An_unwritable_path_is_an_error_at_start_up()
    {
        Assert.ThrowsAny<IOException>(() => TraceRecorder.Create(Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "t.jsonl")));
    }

    private sealed class FailingWriter(int failAfter) : StringWriter
    {
        public int Writes { get; private set; }

        public override void Write(string? value)
        {
            if (++Writes > failAfter)
            {
                throw new IOException("disk full");
            }

            base.Write(value);
        }

        public override void Write(char value) => Write(value.ToString());
    }
}
