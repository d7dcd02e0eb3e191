using System.Globalization;
using System.Text;

namespace LspLlama.Protocol;

/// <summary>
/// Reads <c>Content-Length</c> framed message bodies from the input, the part of
/// <see cref="LspMessageHandler"/> that never trusts it: header lines have a length limit, a
/// header block that is unusable is reported, not thrown, and the reader can skip to the next
/// <c>Content-Length</c> header to resynchronise.
/// </summary>
internal sealed class LspFrameReader(Stream input)
{
    private const int MaxHeaderLine = 8 * 1024;
    private const int MaxContentLength = 1 << 30;
    private static readonly byte[] s_contentLength = "Content-Length:"u8.ToArray();

    private readonly Stream _input = input;
    private byte[] _buffer = new byte[64 * 1024];
    private int _position;
    private int _length;
    private int _lastLineStart;

    public async ValueTask<Header> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        int? contentLength = null;
        string? error = null;
        bool sawHeader = false;
        while (true)
        {
            (bool ended, string? line) = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (ended)
            {
                return Header.End;
            }

            if (line is null)
            {
                return new Header(false, 0, "header line too long");
            }

            if (line.Length == 0)
            {
                if (!sawHeader)
                {
                    continue; // Blank lines between messages are harmless.
                }

                error ??= contentLength is null ? "no Content-Length header" : null;
                return new Header(false, contentLength ?? 0, error);
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon).Trim()))
            {
                // Not a header: maybe a body whose header was lost, with the next message's header
                // glued to its end. Look for that header from just after this line's start.
                _position = _lastLineStart + 1;
                return new Header(false, 0, $"not a header: '{Shorten(line)}'");
            }

            sawHeader = true;
            if (line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                string value = line[(colon + 1)..].Trim();
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 && n <= MaxContentLength)
                {
                    contentLength = n;
                }
                else
                {
                    error = $"bad Content-Length '{Shorten(value)}'";
                }
            }

            // Other headers (Content-Type) are allowed and ignored: LSP content is always UTF-8.
        }
    }

    /// <summary>An HTTP header name (RFC 9110 token): a JSON body never passes for one.</summary>
    private static bool IsToken(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>One header line without its terminator; (true, null) at the end of input, (false, null) when too long.</summary>
    private async ValueTask<(bool Ended, string? Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_position, _length - _position).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                ReadOnlySpan<byte> line = _buffer.AsSpan(_position, newline);
                _lastLineStart = _position;
                _position += newline + 1;
                if (!line.IsEmpty && line[^1] == '\r')
                {
                    line = line[..^1];
                }

                return (false, Encoding.ASCII.GetString(line));
            }

            if (_length - _position > MaxHeaderLine)
            {
                return (false, null);
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return (true, null);
            }
        }
    }

    /// <summary>Drops input up to the next <c>Content-Length:</c>; false when the input ends first.</summary>
    public async ValueTask<bool> SkipToNextHeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int found = IndexOfIgnoreAsciiCase(_buffer.AsSpan(_position, _length - _position), s_contentLength);
            if (found >= 0)
            {
                _position += found;
                return true;
            }

            // Keep a tail that could be the start of the pattern split across two reads.
            _position = Math.Max(_position, _length - (s_contentLength.Length - 1));
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    private static int IndexOfIgnoreAsciiCase(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(haystack.Slice(i, needle.Length), needle))
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask<byte[]?> ReadBodyAsync(int length, CancellationToken cancellationToken)
    {
        byte[] body = new byte[length];
        int buffered = Math.Min(length, _length - _position);
        _buffer.AsSpan(_position, buffered).CopyTo(body);
        _position += buffered;
        try
        {
            await _input.ReadExactlyAsync(body.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            return null;
        }

        return body;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_position > 0)
        {
            _buffer.AsSpan(_position, _length - _position).CopyTo(_buffer);
            _length -= _position;
            _position = 0;
        }

        if (_length == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = await _input.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
        _length += read;
        return read > 0;
    }

    public readonly record struct Header(bool EndOfInput, int ContentLength, string? Error)
    {
        public static Header End => new(true, 0, null);
    }
}
