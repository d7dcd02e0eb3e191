using LspLlama.Core.Session;
using LspLlama.Remote;
using Xunit;

namespace LspLlama.Tests.Remote;

public sealed class ServerCheckpointPlacementTests
{
    private static readonly SyncHints s_hints = new([0, 1000, 2000], CursorLineStart: 2900, PrefixEnd: 3000);

    [Fact]
    public void Each_segment_start_far_from_the_prompts_end_gets_one_prefill_ending_4_tokens_past_it()
    {
        var placement = new ServerCheckpointPlacement(microBatch: 512, minSpacing: 256);
        int[] prompt = [.. Enumerable.Range(0, 3000)];

        Assert.Equal([1004, 2004], placement.Prefills(prompt, s_hints));
        Assert.Empty(placement.Prefills(prompt, s_hints));

        // Near the end the server's own end checkpoints (4 and 4 + n_ubatch before it) do the work.
        Assert.Empty(new ServerCheckpointPlacement(microBatch: 512, minSpacing: 256).Prefills([.. Enumerable.Range(0, 1700)], s_hints));
    }

    [Fact]
    public void A_change_drops_the_placed_checkpoints_after_it_and_a_failure_forgets_them_all()
    {
        var placement = new ServerCheckpointPlacement(microBatch: 512, minSpacing: 256);
        int[] prompt = [.. Enumerable.Range(0, 3000)];
        _ = placement.Prefills(prompt, s_hints);

        int[] edited = [.. prompt];
        edited[1500] = -1;
        Assert.Equal([2004], placement.Prefills(edited, s_hints));
        Assert.Equal([1000, 2000], placement.Placed);

        placement.Forget();
        Assert.Equal([1004, 2004], placement.Prefills(edited, s_hints));
    }

    [Fact]
    public void A_new_start_inside_what_the_slot_holds_unchanged_is_not_placed()
    {
        var placement = new ServerCheckpointPlacement(microBatch: 512, minSpacing: 256);
        int[] prompt = [.. Enumerable.Range(0, 3000)];
        Assert.Equal([1004], placement.Prefills(prompt, new SyncHints([0, 1000], 2900, 3000)));

        // The same tokens with a start found at 2000: a prefill ending there would cut the server's cache back.
        Assert.Empty(placement.Prefills([.. prompt, 1], new SyncHints([0, 1000, 2000], 2900, 3001)));
    }

    [Fact]
    public void Starts_closer_than_the_spacing_to_a_placed_one_are_skipped()
    {
        var placement = new ServerCheckpointPlacement(microBatch: 64, minSpacing: 256);
        Assert.Equal([1004], placement.Prefills([.. Enumerable.Range(0, 3000)], new SyncHints([1000, 1100], 2900, 3000)));
    }
}
