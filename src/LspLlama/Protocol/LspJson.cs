using System.Text.Json;
using System.Text.Json.Serialization;

namespace LspLlama.Protocol;

/// <summary>The JSON options for LSP payloads: camelCase, nulls left out, unknown members ignored.</summary>
internal static class LspJson
{
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,

        // A missing required member or a null where the record says non-null is a client error:
        // it fails deserialization (InvalidParams for a request) instead of reaching a handler.
        RespectNullableAnnotations = true, // see below
        RespectRequiredConstructorParameters = true,
    };
}
