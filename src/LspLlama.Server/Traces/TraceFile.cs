using System.Text;
using LspLlama.Core.Bench;

namespace LspLlama.Traces;

/// <summary>Reads and writes whole trace files (see <see cref="TraceJson"/> for the format).</summary>
public static class TraceFile
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(string path, EditTrace trace)
    {
        using StreamWriter writer = new(path, append: false, s_utf8);
        Write(writer, trace);
    }

    public static void Write(TextWriter writer, EditTrace trace)
    {
        writer.Write(TraceJson.Write(trace.Header));
        writer.Write('\n');
        foreach (TraceEvent e in trace.Events)
        {
            writer.Write(TraceJson.Write(e));
            writer.Write('\n');
        }
    }

    /// <summary>
    /// Reads a trace file. A damaged line is an error that names the line; a recording cut short
    /// by a crash (a last line without its end) is read up to its last complete event.
    /// </summary>
    public static EditTrace Read(string path)
    {
        using StreamReader reader = new(path, s_utf8);
        return Read(reader, path);
    }

    public static EditTrace Read(TextReader reader, string name)
    {
        string? first = reader.ReadLine();
        if (first is null)
        {
            throw new TraceFormatException(name, 1, "the file is empty");
        }

        TraceHeader header;
        try
        {
            header = TraceJson.ReadHeader(first);
        }
        catch (FormatException ex)
        {
            throw new TraceFormatException(name, 1, ex.Message);
        }

        List<TraceEvent> events = [];
        int lineNumber = 1;
        string? line = reader.ReadLine();
        while (line is not null)
        {
            lineNumber++;
            string? next = reader.ReadLine();
            if (line.Length > 0)
            {
                try
                {
                    events.Add(TraceJson.ReadEvent(line));
                }
                catch (FormatException) when (next is null && header.Source == TraceSource.Recorded)
                {
                    // The server died while writing its last event: everything before it is intact.
                    break;
                }
                catch (FormatException ex)
                {
                    throw new TraceFormatException(name, lineNumber, ex.Message);
                }
            }

            line = next;
        }

        return new EditTrace(header, events);
    }
}

/// <summary>A trace file that cannot be read, with the line at fault.</summary>
public sealed class TraceFormatException(string file, int line, string reason)
    : Exception($"{file}:{line}: {reason}");
