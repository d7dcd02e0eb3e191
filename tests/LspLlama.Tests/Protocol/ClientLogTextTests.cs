using LspLlama.Logging;
using Xunit;

namespace LspLlama.Tests.Protocol;

public sealed class ClientLogTextTests
{
    [Fact]
    public void A_failure_of_the_machines_files_is_said_in_words_without_its_stack()
    {
        IOException failure = Thrown<IOException>(() => throw new IOException("No space left on device", new UnauthorizedAccessException("denied")));
        string text = ClientLogSink.Describe(failure);
        Assert.Equal("IOException: No space left on device <- UnauthorizedAccessException: denied", text);
    }

    [Fact]
    public void A_bug_keeps_its_stack_trace()
    {
        InvalidOperationException bug = Thrown<InvalidOperationException>(() => throw new InvalidOperationException("broken invariant"));
        string text = ClientLogSink.Describe(bug);
        Assert.Contains("broken invariant", text, StringComparison.Ordinal);
        Assert.Contains(nameof(A_bug_keeps_its_stack_trace), text, StringComparison.Ordinal);
    }

    private static T Thrown<T>(Action thrower)
        where T : Exception
    {
        try
        {
            thrower();
        }
        catch (T e)
        {
            return e;
        }

        throw new InvalidOperationException("did not throw");
    }
}
