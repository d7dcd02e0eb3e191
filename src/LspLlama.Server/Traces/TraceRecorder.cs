using System.Text;
using LspLlama.Core.Bench;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LspLlama.Traces;

/// <summary>
/// Writes the editor traffic the server receives as a trace (`lspllama serve --record-trace FILE`),
/// which `lspllama bench --trace FILE` replays exactly. The server calls it with values it has
/// already parsed and applied, in arrival order. Each event is one line, flushed at once, so a
/// server that is killed leaves a trace that reads up to its last complete event.
/// Recording must never harm serving: a write that fails is logged once and recording stops.
/// </summary>
public sealed class TraceRecorder : IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly object _gate = new();
    private readonly ILogger _logger;
    private TextWriter? _writer;
    private bool _headerWritten;
    private string _workspace = "";
    private string _positionEncoding = TraceHeader.Utf16;

    public TraceRecorder(TextWriter writer, ILogger? logger = null)
    {
        _writer = writer;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates (or replaces) the trace file; throws when it cannot be created, so a bad
    /// `--record-trace` path is reported at start-up rather than ignored.</summary>
    public static TraceRecorder Create(string path, ILogger? logger = null)
    {
        FileStream stream = new(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        return new TraceRecorder(new StreamWriter(stream, s_utf8) { AutoFlush = true }, logger);
    }

    public bool IsRecording
    {
        get
        {
            lock (_gate)
            {
                return _writer is not null;
            }
        }
    }

    /// <summary>
    /// Call from <c>initialize</c>, before any document event: the workspace root and the
    /// negotiated position encoding ("utf-16" or "utf-8") go into the header. Without it the header
    /// says UTF-16 and no workspace.
    /// </summary>
    public void Begin(string workspace, string positionEncoding)
    {
        lock (_gate)
        {
            if (_headerWritten)
            {
                _logger.LogWarning("trace recorder: the header was already written; workspace and encoding not changed");
                return;
            }

            _workspace = workspace;
            _positionEncoding = positionEncoding == TraceHeader.Utf8 ? TraceHeader.Utf8 : TraceHeader.Utf16;
        }
    }

    public void DidOpen(string uri, string languageId, int version, string text) =>
        Record(new TraceOpen(uri, languageId, version, text));

    /// <summary>A didChange with its content changes in order; a null range replaces the whole text.</summary>
    public void DidChange(string uri, int version, IReadOnlyList<TraceChange> changes) =>
        Record(new TraceEdit(uri, version, [.. changes]));

    public void DidClose(string uri) => Record(new TraceClose(uri));

    /// <summary>The editor told the server where its cursor is (without a completion request).</summary>
    public void CursorMoved(string uri, TracePosition position) => Record(new TraceFocus(uri, position));

    /// <summary>An inline or classic completion request, at the position the client sent.</summary>
    public void CompletionRequested(string uri, TracePosition position) => Record(new TraceCompletion(uri, position));

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    private void Record(TraceEvent e)
    {
        lock (_gate)
        {
            if (_writer is null)
            {
                return;
            }

            try
            {
                if (!_headerWritten)
                {
                    _writer.Write(TraceJson.Write(new TraceHeader(
                        TraceHeader.CurrentFormatVersion, TraceSource.Recorded, _workspace, _positionEncoding, null)));
                    _writer.Write('\n');
                    _headerWritten = true;
                }

                // The line is built first and written in one call, so a failure never leaves half an event.
                _writer.Write(TraceJson.Write(e) + "\n");
                _writer.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or ArgumentException)
            {
                _logger.LogError(ex, "trace recorder: writing the trace failed; recording stopped");
                TextWriter broken = _writer;
                _writer = null;
                try
                {
                    broken.Dispose();
                }
                catch (IOException)
                {
                    // Disposing flushes, and the disk that failed the write may fail that too.
                }
            }
        }
    }
}
