using LspLlama.Core.Completion;
using LspLlama.Core.Session;
using LspLlama.Remote;

namespace LspLlama.Engine;

/// <summary>
/// The generation loop's view of a remote completion: the request (prompt and generation in one) is
/// sent when the generator starts, which waits for the first chunk (the server decoded the prompt);
/// then each <see cref="Sample"/> takes the next streamed token. The loop's stop rules and limits
/// stay ours: disposing closes the request, which stops the server's work. The stream's end is
/// answered with an end-of-generation token. Runs on the inference thread, which waits for the network.
/// </summary>
public sealed class RemoteTokenGenerator : ITokenGenerator, IDisposable
{
    private readonly IAsyncEnumerator<RemoteChunk> _stream;
    private readonly ModelSession _session;
    private readonly int _endToken;
    private readonly Action<RemoteFigures> _figures;
    private IReadOnlyList<int> _tokens = [];
    private int _next;
    private bool _ended;
    private bool _disposed;

    private RemoteTokenGenerator(IAsyncEnumerable<RemoteChunk> stream, ModelSession session, int endToken, Action<RemoteFigures> figures, CancellationToken cancellation)
    {
        _stream = stream.GetAsyncEnumerator(cancellation);
        _session = session;
        _endToken = endToken;
        _figures = figures;
    }

    /// <summary>Sends the request and waits for its first chunk; a failure closes it and throws.</summary>
    public static RemoteTokenGenerator Start(
        IAsyncEnumerable<RemoteChunk> stream, ModelSession session, int endToken, Action<RemoteFigures> figures, CancellationToken cancellation)
    {
        var generator = new RemoteTokenGenerator(stream, session, endToken, figures, cancellation);
        try
        {
            generator.Fill();
            return generator;
        }
        catch
        {
            generator.Dispose();
            throw;
        }
    }

    public int Sample()
    {
        while (_next >= _tokens.Count && !_ended)
        {
            Fill();
        }

        return _next < _tokens.Count ? _tokens[_next++] : _endToken;
    }

    /// <summary>The token is part of what the server's slot holds now; the mirror holds it too, so the next sync rolls it back.</summary>
    public void Accept(int token) => _session.AppendGenerated(token);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _stream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is RemoteEngineException or IOException or HttpRequestException or OperationCanceledException)
        {
            // Closing a request that already failed: nothing more to stop.
        }
    }

    private void Fill()
    {
        if (!_stream.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            _ended = true;
            return;
        }

        RemoteChunk chunk = _stream.Current;
        _tokens = chunk.Tokens;
        _next = 0;
        if (chunk.Figures is { } f)
        {
            _figures(f);
        }

        _ended = chunk.Final is not null;
    }
}
