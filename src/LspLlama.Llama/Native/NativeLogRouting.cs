using System.Text;
using LLama.Native;

namespace LspLlama.Native;

/// <summary>
/// Routes llama.cpp and ggml logs to stderr, warnings and errors only, so nothing native ever reaches
/// stdout (the LSP transport) and model loading stays quiet. <c>LSPLLAMA_NATIVE_LOG=info</c> or
/// <c>debug</c> shows more.
/// </summary>
public static class NativeLogRouting
{
    private static readonly Lock s_lock = new();
    private static readonly StringBuilder s_pending = new();
    private static bool s_configured;
    private static LLamaLogLevel s_lastLevel = LLamaLogLevel.Info;
    private static LLamaLogLevel s_minimum = LLamaLogLevel.Warning;
    private static readonly StringBuilder s_error = new();
    private static readonly Queue<(long Number, string Line)> s_recentErrors = new();
    private static long s_errors;

    /// <summary>How many error lines llama.cpp logged so far (a mark for <see cref="FirstErrorSince"/>).</summary>
    public static long ErrorCount
    {
        get
        {
            lock (s_lock)
            {
                return s_errors;
            }
        }
    }

    /// <summary>
    /// The first error line llama.cpp logged after <paramref name="mark"/> (an <see cref="ErrorCount"/>):
    /// the cause, before the generic "failed to load model" lines that follow it; null when none.
    /// A failed load names its reason only there.
    /// </summary>
    public static string? FirstErrorSince(long mark)
    {
        lock (s_lock)
        {
            foreach ((long number, string line) in s_recentErrors)
            {
                if (number > mark)
                {
                    return line;
                }
            }

            return null;
        }
    }

    /// <summary>Installs the callback once; safe to call from any thread, before or after loading.</summary>
    public static void EnsureConfigured()
    {
        lock (s_lock)
        {
            if (s_configured)
            {
                return;
            }

            s_minimum = Environment.GetEnvironmentVariable("LSPLLAMA_NATIVE_LOG")?.ToUpperInvariant() switch
            {
                "DEBUG" => LLamaLogLevel.Debug,
                "INFO" => LLamaLogLevel.Info,
                "ERROR" => LLamaLogLevel.Error,
                "NONE" => LLamaLogLevel.None,
                _ => LLamaLogLevel.Warning,
            };
            NativeLogConfig.llama_log_set(OnLog);
            s_configured = true;
        }
    }

    /// <summary>
    /// Warnings every model saved by llama.cpp itself triggers: the saver writes unset special token ids
    /// as 0xFFFFFFFF, which the loader reports and ignores.
    /// </summary>
    private static bool IsKnownNoise(string message) =>
        message.Contains("bad special token", StringComparison.Ordinal) && message.Contains("4294967295", StringComparison.Ordinal);

    private static void KeepError(string message)
    {
        s_error.Append(message);
        if (message.EndsWith('\n'))
        {
            string line = s_error.ToString().Trim();
            s_error.Clear();
            if (line.Length > 0)
            {
                s_recentErrors.Enqueue((++s_errors, line.Length > 400 ? line[..400] : line));
                if (s_recentErrors.Count > 16)
                {
                    s_recentErrors.Dequeue();
                }
            }
        }
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        lock (s_lock)
        {
            // "Continue" extends the previous message and inherits its level.
            LLamaLogLevel effective = level == LLamaLogLevel.Continue ? s_lastLevel : level;
            s_lastLevel = effective;
            if (effective == LLamaLogLevel.Error)
            {
                KeepError(message);
            }

            if (s_minimum == LLamaLogLevel.None || effective < s_minimum || (s_minimum > LLamaLogLevel.Info && IsKnownNoise(message)))
            {
                return;
            }

            s_pending.Append(message);
            if (message.EndsWith('\n'))
            {
                Console.Error.Write("llama: " + s_pending);
                s_pending.Clear();
            }
        }
    }
}
