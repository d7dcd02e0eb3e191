using LspLlama.Core.Bench;
using Xunit;

namespace LspLlama.Core.Tests.Bench;

public sealed class TraceMixTests
{
    [Fact]
    public void A_recorded_request_in_another_file_counts_as_a_switch()
    {
        // A recorded trace has no focus events: the editor only says where it asks.
        TracePosition at = new(0, 0);
        EditTrace trace = new(
            new TraceHeader(TraceHeader.CurrentFormatVersion, TraceSource.Recorded, "/w", TraceHeader.Utf16, null),
            [
                new TraceOpen("file:///w/a.cs", "csharp", 1, "a"), new TraceOpen("file:///w/b.cs", "csharp", 1, "b"),
                new TraceCompletion("file:///w/a.cs", at), new TraceCompletion("file:///w/a.cs", at),
                new TraceCompletion("file:///w/b.cs", at), new TraceCompletion("file:///w/a.cs", at),
            ]);

        TraceMix mix = TraceMix.Of(trace);
        Assert.Equal((2, 0, 4), (mix.Switches, mix.Jumps, mix.Completions));
    }
}
