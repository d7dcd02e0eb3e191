using LspLlama.Core.Bench;
using LspLlama.Core.Session;
using LspLlama.Engine;
using LspLlama.Remote;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging.Abstractions;

namespace LspLlama.Bench;

/// <summary>
/// <c>bench --engine URL</c>: the same trace replayed in-process (the lspllama policy), through the
/// remote engine with LspLlama's layout (the server's own serving object over
/// <see cref="RemoteServedModel"/>, slot 0), and with the layout llama.vscode sends to
/// <c>/infill</c> (<see cref="InfillReplayTarget"/>, slot 1). Each remote target starts from an
/// emptied slot; the decoded tokens are the server's own (<c>timings.prompt_n</c>). LspLlama's layout
/// runs twice: as served by default (the server's own checkpoints and prompt cache) and with the
/// server's checkpoints placed at segment starts (<c>engine.placeCheckpoints</c>, <see cref="ServerCheckpointPlacement"/>).
/// </summary>
public sealed class RemoteReplayFactory(ReplayLlamaFactory local, Uri url) : IReplayTargetFactory
{
    public const string InProcess = CheckpointPolicies.Lspllama;

    public const string RemoteLayout = "remote-lspllama";

    public const string RemotePlaced = "remote-placed";

    public const string InfillLayout = "remote-infill";

    public static IReadOnlyList<string> Targets { get; } = [InProcess, RemoteLayout, RemotePlaced, InfillLayout];

    public BenchModelInfo Model => local.Model;

    public int CountTokens(string text) => local.CountTokens(text);

    public IReplayTarget Create(string policy, string positionEncoding)
    {
        switch (policy)
        {
            case InProcess:
                return local.Create(policy, positionEncoding);
            case RemoteLayout or RemotePlaced:
                EmptySlot(0);
                RemoteServedModel model = RemoteServedModel.Connect(
                    local.Model.Path, new ModelSettings(local.Model.Path, local.Model.ContextSize), new EngineSection(url, Slot: 0, PlaceCheckpoints: policy == RemotePlaced), NullLogger.Instance, CancellationToken.None);
                if (model.Server is not { } info || info.ContextSize < local.Model.ContextSize)
                {
                    model.Dispose();
                    throw new RemoteEngineException(
                        $"{url} must have at least 2 slots of {local.Model.ContextSize} tokens each (llama-server -np 2 -c {2 * local.Model.ContextSize}), to plan as in-process");
                }

                return new ReplayServing(model, local.Context with { ContextSize = local.Model.ContextSize }, local.Generation, positionEncoding, owned: model);
            case InfillLayout:
                EmptySlot(1);
                return new InfillReplayTarget(url, slot: 1, Math.Max(1, local.Generation.MaxTokens), positionEncoding, local.CountTokens, local.Model.ContextSize);
            default:
                throw new ArgumentException($"unknown target '{policy}' (known: {string.Join(", ", Targets)})", nameof(policy));
        }
    }

    /// <summary>A one-token prompt replaces what the slot cached (llama-server erases slots only with --slot-save-path).</summary>
    private void EmptySlot(int slot)
    {
        using var client = new LlamaServerClient(new RemoteEngineOptions { Url = url }, tokenizer: null);
        Task.Run(async () =>
        {
            await foreach (RemoteChunk _ in client.CompleteAsync([0], new RemoteCompletionOptions { MaxTokens = 0, Slot = slot }, CancellationToken.None).ConfigureAwait(false))
            {
            }
        }).GetAwaiter().GetResult();
    }
}
