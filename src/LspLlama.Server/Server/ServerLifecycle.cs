using LspLlama.Protocol;
using StreamJsonRpc;

namespace LspLlama.Server;

/// <summary>
/// Where the session is between <c>initialize</c> and <c>exit</c>, what the client said in
/// <c>initialize</c>, and the exit code it ends with: 0 after <c>shutdown</c>, 1 without it
/// (LSP's rule), also when the client just disconnects.
/// </summary>
public sealed class ServerLifecycle
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Phase _phase = Phase.Created;
    private volatile ClientHello _client = ClientHello.BeforeInitialize;

    private enum Phase
    {
        Created,
        Initialized,
        ShutDown,
    }

    /// <summary>Completes with the process exit code when the session ends.</summary>
    public Task<int> Exited => _exited.Task;

    public bool IsShutDown => _phase == Phase.ShutDown;

    /// <summary>What the client said in <c>initialize</c>; safe from any thread.</summary>
    public ClientHello Client => _client;

    /// <summary>Throws the LSP error for a request that may not run now.</summary>
    public void EnsureRequestAllowed(string method)
    {
        if (_phase == Phase.ShutDown)
        {
            throw new LocalRpcException($"{method}: the server is shut down") { ErrorCode = LspErrorCodes.InvalidRequest };
        }

        if (_phase == Phase.Created)
        {
            throw new LocalRpcException($"{method}: the server is not initialized yet") { ErrorCode = LspErrorCodes.ServerNotInitialized };
        }
    }

    /// <summary>True when a notification should be handled; false when LSP says to drop it.</summary>
    public bool AcceptsNotification() => _phase == Phase.Initialized;

    /// <summary>Throws InvalidRequest when an <c>initialize</c> was already accepted.</summary>
    public void EnsureNotInitialized()
    {
        if (_phase != Phase.Created)
        {
            throw new LocalRpcException("initialize was already received") { ErrorCode = LspErrorCodes.InvalidRequest };
        }
    }

    public void MarkInitialized(ClientHello client)
    {
        EnsureNotInitialized();
        _client = client;
        _phase = Phase.Initialized;
    }

    public void MarkShutDown() => _phase = Phase.ShutDown;

    /// <summary>Ends the session: on <c>exit</c>, or when the connection is gone.</summary>
    public void Exit() => _exited.TrySetResult(_phase == Phase.ShutDown ? 0 : 1);
}
