using System.Text.Encodings.Web;
using System.Text.Json;
using LspLlama.Core.Bench;

namespace LspLlama.Traces;

/// <summary>
/// The trace file format: JSON lines, one object per line. The first line is the header
/// (<c>{"type":"header","formatVersion":1,...}</c>), every other line one event whose field names
/// follow LSP (<c>uri</c>, <c>version</c>, <c>contentChanges</c> with <c>range</c>/<c>text</c>,
/// <c>position</c> with <c>line</c>/<c>character</c>). Written by hand rather than through
/// serializer attributes, because the core's trace types know nothing of JSON.
/// </summary>
public static class TraceJson
{
    // Relaxed escaping keeps code readable in the file (no \u003C for "<"); a trace is never embedded in HTML.
    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(TraceHeader header) => WriteObject(w =>
    {
        w.WriteString("type", "header");
        w.WriteNumber("formatVersion", header.FormatVersion);
        w.WriteString("source", header.Source == TraceSource.Generated ? "generated" : "recorded");
        w.WriteString("workspace", header.Workspace);
        w.WriteString("positionEncoding", header.PositionEncoding);
        if (header.Generator is TraceGeneratorOptions g)
        {
            w.WriteStartObject("generator");
            w.WriteNumber("seed", g.Seed);
            w.WriteNumber("syncs", g.Syncs);
            w.WriteNumber("contextTokens", g.ContextTokens);
            w.WriteNumber("maxFileBytes", g.MaxFileBytes);
            w.WriteNumber("maxOpenFiles", g.MaxOpenFiles);
            w.WriteNumber("recencyDecay", g.RecencyDecay);
            w.WriteEndObject();
        }
    });

    public static string Write(TraceEvent e) => WriteObject(w =>
    {
        switch (e)
        {
            case TraceOpen open:
                w.WriteString("type", "open");
                w.WriteString("uri", open.Uri);
                w.WriteString("languageId", open.LanguageId);
                w.WriteNumber("version", open.Version);
                w.WriteString("text", open.Text);
                break;
            case TraceEdit edit:
                w.WriteString("type", "change");
                w.WriteString("uri", edit.Uri);
                w.WriteNumber("version", edit.Version);
                w.WriteStartArray("contentChanges");
                foreach (TraceChange change in edit.Changes)
                {
                    w.WriteStartObject();
                    if (change.Range is TraceRange r)
                    {
                        w.WriteStartObject("range");
                        WritePosition(w, "start", r.Start);
                        WritePosition(w, "end", r.End);
                        w.WriteEndObject();
                    }

                    w.WriteString("text", change.Text);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case TraceClose close:
                w.WriteString("type", "close");
                w.WriteString("uri", close.Uri);
                break;
            case TraceFocus focus:
                w.WriteString("type", "focus");
                w.WriteString("uri", focus.Uri);
                WritePosition(w, "position", focus.Position);
                break;
            case TraceCompletion completion:
                w.WriteString("type", "completion");
                w.WriteString("uri", completion.Uri);
                WritePosition(w, "position", completion.Position);
                break;
            default:
                throw new ArgumentException($"unknown trace event {e.GetType().Name}", nameof(e));
        }
    });

    /// <summary>Reads a header line; throws <see cref="FormatException"/> with the reason.</summary>
    public static TraceHeader ReadHeader(string line)
    {
        using JsonDocument doc = Parse(line);
        JsonElement root = doc.RootElement;
        if (String(root, "type") != "header")
        {
            throw new FormatException("the first line is not a trace header");
        }

        int version = Int(root, "formatVersion");
        if (version != TraceHeader.CurrentFormatVersion)
        {
            throw new FormatException($"trace format version {version} is not supported (this build reads {TraceHeader.CurrentFormatVersion})");
        }

        TraceSource source = String(root, "source") switch
        {
            "generated" => TraceSource.Generated,
            "recorded" => TraceSource.Recorded,
            string other => throw new FormatException($"unknown trace source '{other}'"),
        };
        string encoding = String(root, "positionEncoding");
        if (encoding is not (TraceHeader.Utf16 or TraceHeader.Utf8))
        {
            throw new FormatException($"unknown position encoding '{encoding}'");
        }

        TraceGeneratorOptions? generator = null;
        if (root.TryGetProperty("generator", out JsonElement g) && g.ValueKind == JsonValueKind.Object)
        {
            double decay = g.TryGetProperty("recencyDecay", out JsonElement d) && d.ValueKind == JsonValueKind.Number
                ? d.GetDouble()
                : TraceGeneratorOptions.UniformRecencyDecay;
            if (!(decay is > 0 and <= 1))
            {
                throw new FormatException($"generator.recencyDecay must be in (0, 1], not {decay}");
            }

            generator = new TraceGeneratorOptions(
                Int(g, "seed"), Int(g, "syncs"), Int(g, "contextTokens"), Int(g, "maxFileBytes"), Int(g, "maxOpenFiles"), decay);
        }

        return new TraceHeader(version, source, String(root, "workspace"), encoding, generator);
    }

    /// <summary>Reads an event line; throws <see cref="FormatException"/> with the reason.</summary>
    public static TraceEvent ReadEvent(string line)
    {
        using JsonDocument doc = Parse(line);
        JsonElement root = doc.RootElement;
        string type = String(root, "type");
        string uri = String(root, "uri");
        return type switch
        {
            "open" => new TraceOpen(uri, String(root, "languageId"), Int(root, "version"), String(root, "text")),
            "change" => new TraceEdit(uri, Int(root, "version"), ReadChanges(root)),
            "close" => new TraceClose(uri),
            "focus" => new TraceFocus(uri, Position(root, "position")),
            "completion" => new TraceCompletion(uri, Position(root, "position")),
            _ => throw new FormatException($"unknown event type '{type}'"),
        };
    }

    private static List<TraceChange> ReadChanges(JsonElement root)
    {
        if (!root.TryGetProperty("contentChanges", out JsonElement changes) || changes.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("'contentChanges' must be an array");
        }

        List<TraceChange> list = [];
        foreach (JsonElement c in changes.EnumerateArray())
        {
            TraceRange? range = null;
            if (c.TryGetProperty("range", out JsonElement r) && r.ValueKind != JsonValueKind.Null)
            {
                range = new TraceRange(Position(r, "start"), Position(r, "end"));
            }

            list.Add(new TraceChange(range, String(c, "text")));
        }

        return list;
    }

    private static TracePosition Position(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement p) && p.ValueKind == JsonValueKind.Object
            ? new TracePosition(Int(p, "line"), Int(p, "character"))
            : throw new FormatException($"'{name}' must be a position object");

    private static string String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"'{name}' must be a string");

    private static int Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)
            ? n
            : throw new FormatException($"'{name}' must be a whole number");

    private static JsonDocument Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON: {ex.Message}", ex);
        }
    }

    private static void WritePosition(Utf8JsonWriter w, string name, TracePosition p)
    {
        w.WriteStartObject(name);
        w.WriteNumber("line", p.Line);
        w.WriteNumber("character", p.Character);
        w.WriteEndObject();
    }

    private static string WriteObject(Action<Utf8JsonWriter> body)
    {
        using MemoryStream buffer = new();
        using (Utf8JsonWriter w = new(buffer, s_writerOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
