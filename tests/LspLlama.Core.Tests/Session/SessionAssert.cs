using LspLlama.Core.Session;
using Xunit;

namespace LspLlama.Core.Tests.Session;

/// <summary>Checks shared by the session tests.</summary>
internal static class SessionAssert
{
    /// <summary>The session's memory gives the same output as a fresh context that decoded what it holds.</summary>
    public static void MatchesFresh(ModelSession session, FakeBackend backend)
    {
        FakeBackend fresh = backend.Fresh(session.Held);
        Assert.Equal(fresh.Output, backend.Output);
    }

    /// <summary>
    /// No checkpoint outlives its tokens: each one lies within the held sequence and equals the
    /// partial state a fresh context saves after decoding the same prefix.
    /// </summary>
    public static void CheckpointsMatchTheirTokens(ModelSession session, FakeBackend backend)
    {
        int previous = -1;
        foreach (Checkpoint c in session.Checkpoints)
        {
            Assert.True(c.Position > previous, "checkpoints are kept in increasing positions");
            Assert.True(c.Position <= session.Held.Length, $"checkpoint at {c.Position} outlives the held {session.Held.Length} tokens");
            byte[] expected = backend.Fresh(session.Held[..c.Position]).PartialState();
            Assert.True(
                backend.EquivalentPartialStates(expected, c.Data.AsSpan(0, c.Length), c.Position),
                $"checkpoint at {c.Position} does not match the held tokens before it");
            previous = c.Position;
        }
    }
}
