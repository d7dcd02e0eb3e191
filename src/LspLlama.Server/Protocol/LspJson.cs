using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LspLlama.Protocol;

/// <summary>The JSON options for LSP payloads: camelCase, nulls left out, unknown members ignored.</summary>
public static class LspJson
{
    /// <summary>A shared read-only instance for the handlers' own deserialization.</summary>
    public static JsonSerializerOptions Options { get; } = Freeze(CreateOptions());

    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,

        // Document text goes out as plain UTF-8 rather than \uXXXX escapes: smaller and faster for
        // large files. (The "unsafe" is about embedding JSON in HTML, which LSP never does.)
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,

        // A missing required member or a null where the record says non-null is a client error:
        // it fails deserialization (InvalidParams for a request) instead of reaching a handler.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
