using LspLlama.Traces;
using LspLlama.Bench;
using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Tests.Bench;

public sealed class TraceFileTests
{
    private static EditTrace Generated() => new TraceGenerator(
        [
            new SourceFile("file:///w/a.cs", "csharp", "class A\r\n{\r\n    // \U0001F600 \"quoted\" <tag> & \\ back\r\n}\r\n"),
            new SourceFile("file:///w/b.py", "python", "def f():\n\treturn 'ü'\n"),
        ],
        new TraceGeneratorOptions(Seed: 11, Syncs: 60, ContextTokens: 500)).Generate("/w");

    private static EditTrace RoundTrip(EditTrace trace)
    {
        StringWriter w = new();
        TraceFile.Write(w, trace);
        return TraceFile.Read(new StringReader(w.ToString()), "mem");
    }

    [Fact]
    public void A_generated_trace_reads_back_event_for_event()
    {
        EditTrace trace = Generated();
        EditTrace back = RoundTrip(trace);
        Assert.Equal(trace.Header, back.Header);
        Assert.Equal(trace.Events, back.Events);
    }

    [Fact]
    public void The_file_is_one_json_object_per_line_with_lsp_field_names()
    {
        StringWriter w = new();
        TraceFile.Write(w, Generated());
        string[] lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("{\"type\":\"header\",\"formatVersion\":1,\"source\":\"generated\"", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"change\",\"uri\":\"file:///w/", StringComparison.Ordinal)
            && l.Contains("\"contentChanges\":[{\"range\":{\"start\":{\"line\":", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("{\"type\":\"completion\"", StringComparison.Ordinal) && l.Contains("\"position\":{\"line\":", StringComparison.Ordinal));
    }

    [Fact]
    public void A_header_without_a_recency_decay_reads_as_the_uniform_picks_it_was_made_with()
    {
        string content = "{\"type\":\"header\",\"formatVersion\":1,\"source\":\"generated\",\"workspace\":\"/w\",\"positionEncoding\":\"utf-16\","
            + "\"generator\":{\"seed\":3,\"syncs\":10,\"contextTokens\":100,\"maxFileBytes\":1000,\"maxOpenFiles\":4}}\n";
        EditTrace old = TraceFile.Read(new StringReader(content), "mem");
        Assert.Equal(TraceGeneratorOptions.UniformRecencyDecay, old.Header.Generator!.RecencyDecay);
        Assert.Equal(TraceGeneratorOptions.DefaultRecencyDecay, Generated().Header.Generator!.RecencyDecay);

        EditTrace custom = new(Generated().Header with { Generator = new TraceGeneratorOptions(RecencyDecay: 0.75) }, []);
        Assert.Equal(0.75, RoundTrip(custom).Header.Generator!.RecencyDecay);
    }

    [Fact]
    public void Full_document_changes_and_utf8_headers_round_trip()
    {
        EditTrace trace = new(
            new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Recorded, "/w", TraceHeader.Utf8, null),
            [
                new TraceOpen("file:///w/a.cs", "csharp", 0, ""),
                new TraceEdit("file:///w/a.cs", 1, [new TraceChange(null, "all\nnew")]),
                new TraceFocus("file:///w/a.cs", new TracePosition(1, 3)),
                new TraceClose("file:///w/a.cs"),
            ]);
        EditTrace back = RoundTrip(trace);
        Assert.Equal(trace.Header, back.Header);
        Assert.Equal(trace.Events, back.Events);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("{\"type\":\"open\"}", 1, "not a trace header")]
    [InlineData("{\"type\":\"header\",\"formatVersion\":2,\"source\":\"generated\",\"workspace\":\"/w\",\"positionEncoding\":\"utf-16\"}", 1, "version 2 is not supported")]
    [InlineData("{\"type\":\"header\",\"formatVersion\":1,\"source\":\"generated\",\"workspace\":\"/w\",\"positionEncoding\":\"utf-32\"}", 1, "utf-32")]
    [InlineData("HEADER\n{\"type\":\"open\",\"uri\":\"u\",\"languageId\":\"c\",\"version\":1,\"text\":\"\"}\n{\"type\":\"teleport\",\"uri\":\"u\"}\n{\"type\":\"close\",\"uri\":\"u\"}", 3, "unknown event type 'teleport'")]
    [InlineData("HEADER\n{\"type\":\"focus\",\"uri\":\"u\",\"position\":{\"line\":\"1\",\"character\":0}}", 2, "'line' must be a whole number")]
    [InlineData("HEADER\n{\"type\":\"change\",\"uri\":\"u\",\"version\":2}", 2, "'contentChanges' must be an array")]
    [InlineData("HEADER\n{not json\n{\"type\":\"close\",\"uri\":\"u\"}", 2, "not valid JSON")]
    public void A_damaged_file_is_refused_with_its_line_and_reason(string content, int line, string reason)
    {
        content = content.Replace("HEADER", "{\"type\":\"header\",\"formatVersion\":1,\"source\":\"generated\",\"workspace\":\"/w\",\"positionEncoding\":\"utf-16\"}", StringComparison.Ordinal);
        TraceFormatException ex = Assert.Throws<TraceFormatException>(() => TraceFile.Read(new StringReader(content), "t.jsonl"));
        Assert.StartsWith($"t.jsonl:{line}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recording_cut_off_mid_line_reads_up_to_its_last_complete_event()
    {
        string content = "{\"type\":\"header\",\"formatVersion\":1,\"source\":\"recorded\",\"workspace\":\"/w\",\"positionEncoding\":\"utf-16\"}\n"
            + "{\"type\":\"open\",\"uri\":\"u\",\"languageId\":\"c\",\"version\":1,\"text\":\"x\"}\n"
            + "{\"type\":\"change\",\"uri\":\"u\",\"vers";
        EditTrace trace = TraceFile.Read(new StringReader(content), "t");
        Assert.Single(trace.Events);

        // A generated trace is never cut short, so the same damage there is an error.
        Assert.Throws<TraceFormatException>(() => TraceFile.Read(new StringReader(content.Replace("recorded", "generated", StringComparison.Ordinal)), "t"));
    }
}
