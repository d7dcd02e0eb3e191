using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LspLlama.Core.Documents;

namespace LspLlama.Protocol;

/// <summary>
/// Reads document text without rejecting what editors really send. System.Text.Json refuses a
/// string holding a lone surrogate escape (<c>"\ud800"</c>, which JavaScript clients produce for
/// broken text) or invalid UTF-8; dropping the whole change would make the server's copy drift
/// from the editor's. Here such chars become U+FFFD, which keeps UTF-16 positions in step.
/// </summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected a string, found {reader.TokenType}");
        }

        byte[]? rented = null;
        ReadOnlySpan<byte> raw;
        if (reader.HasValueSequence)
        {
            int length = checked((int)reader.ValueSequence.Length);
            rented = ArrayPool<byte>.Shared.Rent(length);
            reader.ValueSequence.CopyTo(rented);
            raw = rented.AsSpan(0, length);
        }
        else
        {
            raw = reader.ValueSpan;
        }

        try
        {
            // Invalid UTF-8 bytes decode to U+FFFD (Encoding.UTF8 replaces rather than throws).
            string text = Encoding.UTF8.GetString(raw);
            if (reader.ValueIsEscaped)
            {
                text = Unescape(text);
            }

            return TextSanitizer.ReplaceLoneSurrogates(text);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    private static string Unescape(string text)
    {
        // The reader already checked the escapes' syntax; only the surrogate pairing is unchecked.
        StringBuilder result = new(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            char e = text[++i];
            switch (e)
            {
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 't': result.Append('\t'); break;
                case 'b': result.Append('\b'); break;
                case 'f': result.Append('\f'); break;
                case 'u':
                    result.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: result.Append(e); break; // \" \\ \/
            }
        }

        return result.ToString();
    }
}
