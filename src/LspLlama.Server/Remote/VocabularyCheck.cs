using LspLlama.Core.Tokens;

namespace LspLlama.Remote;

/// <summary>
/// Compares the local tokenizer (the same GGUF loaded vocabulary-only) with the server's: token ids
/// only mean the same text when both tokenize alike. A mismatch is a <see cref="RemoteEngineException"/>
/// naming the first difference.
/// </summary>
public static class VocabularyCheck
{
    /// <summary>Code, indentation, non-ASCII text and digits: where tokenizers of different models part.</summary>
    public const string ProbeText = "def main(argv):\n    return f\"héllo {argv[0]!r}\" # 12345 ünïcødé → ok\n\tint x = 0x1F;\n";

    public static async Task CheckAsync(ITokenizer local, Func<string, CancellationToken, Task<int[]>> remoteTokenize, CancellationToken cancellation)
    {
        int[] expected = local.Tokenize(ProbeText);
        int[] actual = await remoteTokenize(ProbeText, cancellation).ConfigureAwait(false);
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        throw new RemoteEngineException(
            $"the remote server's vocabulary differs from the local model's: the probe text gives {actual.Length} tokens there and " +
            $"{expected.Length} here, first different at token {at} ({Show(actual, at)} there, {Show(expected, at)} here); " +
            "point model.path at the GGUF the server runs") { Refused = true };
    }

    private static string Show(int[] tokens, int at) => at < tokens.Length ? tokens[at].ToString(System.Globalization.CultureInfo.InvariantCulture) : "end";
}
