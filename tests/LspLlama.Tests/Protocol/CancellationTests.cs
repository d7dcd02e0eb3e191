using LspLlama.Server;
using LspLlama.Server.Handlers;
using LspLlama.Tests.Support;
using Xunit;

namespace LspLlama.Tests.Protocol;

public sealed class CancellationTests
{
    [Fact]
    public async Task CancelRequest_reaches_the_running_handler()
    {
        WaitUntilCancelled probe = null!;
        await using LspTestClient client = new(lifecycle => [probe = new WaitUntilCancelled(lifecycle)]);
        await client.StartAsync();

        using CancellationTokenSource cancel = new();
        Task<string> call = client.RequestAsync<string>(WaitUntilCancelled.Name, new { }, cancel.Token);
        await probe.Started.Task.WaitAsync(LspTestClient.Timeout);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await probe.Cancelled.Task.WaitAsync(LspTestClient.Timeout);
    }

    /// <summary>A request that runs until the client cancels it.</summary>
    private sealed class WaitUntilCancelled(ServerLifecycle lifecycle) : RequestHandler<object, string>(lifecycle)
    {
        public const string Name = "test/waitUntilCancelled";

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string Method => Name;

        protected override async Task<string> HandleAsync(object request, CancellationToken cancellationToken)
        {
            Started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.SetResult();
                throw;
            }

            return "not cancelled";
        }
    }
}
