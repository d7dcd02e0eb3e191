namespace LspLlama.Tests.Support;

/// <summary>
/// Under CI (<c>CI=true</c>) the vocabulary files in <c>../shared/vocab</c> must be there: the tests
/// that use them run and fail instead of being skipped, so a missing folder cannot pass unnoticed.
/// </summary>
internal static class SharedVocabRequired
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
