using System.Globalization;
using System.Text;
using LspLlama.Core.Context;
using LspLlama.Core.Context.Formats;
using LspLlama.ModelFiles;

namespace LspLlama.Cli;

/// <summary>
/// <c>lspllama inspect MODEL.gguf [FILE]</c>: what the server will do with a model, before any
/// editor is involved: file, architecture, memory kind (tried, as at load), context length, bytes
/// per checkpoint, the prompt format detected and why, its stop tokens, and the exact prompt for
/// FILE (or a short sample) with its special tokens set apart.
/// </summary>
internal sealed class InspectCommand : ICommand
{
    public string Name => "inspect";

    public string Summary =>
        "show what the server does with a model: inspect MODEL.gguf [FILE] [--cursor LINE[:COL]] [--context-size N] [--format " +
        string.Join('|', PromptFormats.Names) + "]";

    public Task<int> RunAsync(ArgReader args)
    {
        var options = new InspectOptions
        {
            CursorText = args.Option("--cursor"),
            ContextSize = args.Int("--context-size", new InspectOptions().ContextSize),
            Format = args.Option("--format") ?? PromptFormats.Auto,
        };
        string[] positional = args.Positional();
        args.EnsureAllUsed();
        if (positional.Length is 0 or > 2)
        {
            throw new UsageException("usage: lspllama inspect MODEL.gguf [FILE] [--cursor LINE[:COL]] [--context-size N] [--format F]");
        }

        if (!PromptFormats.IsKnown(options.Format))
        {
            throw new UsageException($"--format '{options.Format}' is unknown; choose one of: {string.Join(", ", PromptFormats.Names)}");
        }

        if (options.ContextSize < 256)
        {
            throw new UsageException("--context-size must be at least 256");
        }

        options = options with { ModelPath = positional[0], FilePath = positional.Length > 1 ? positional[1] : null };
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        try
        {
            ModelInspector.Run(options, stdout);
            return Task.FromResult(0);
        }
        catch (InvalidModelFileException e)
        {
            stdout.Flush();
            Console.Error.WriteLine($"lspllama {Name}: {e.Message}");
            return Task.FromResult(1);
        }
        catch (InspectException e)
        {
            stdout.Flush();
            Console.Error.WriteLine($"lspllama {Name}: {e.Message}");
            return Task.FromResult(1);
        }
    }
}

/// <summary>What <c>lspllama inspect</c> was asked.</summary>
internal sealed record InspectOptions
{
    public string ModelPath { get; init; } = string.Empty;

    /// <summary>The file whose prompt is shown; null: a short sample.</summary>
    public string? FilePath { get; init; }

    /// <summary>"LINE" or "LINE:COL", 1-based; null: the end of the middle line.</summary>
    public string? CursorText { get; init; }

    /// <summary>The context size to load with (the server's default).</summary>
    public int ContextSize { get; init; } = ContextSettings.DefaultContextSize;

    public string Format { get; init; } = PromptFormats.Auto;

    /// <summary>The cursor as a UTF-16 offset into <paramref name="text"/>.</summary>
    public int CursorIn(string text)
    {
        string[] lines = text.Split('\n');
        int line;
        int? column = null;
        if (CursorText is null)
        {
            line = Math.Max(1, (lines.Length + 1) / 2);
        }
        else
        {
            string[] parts = CursorText.Split(':');
            if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out line) || line < 1
                || (parts.Length == 2 && !(int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c >= 1 && (column = c) is not null)))
            {
                throw new InspectException($"--cursor takes LINE or LINE:COL (1-based), not '{CursorText}'");
            }
        }

        if (line > lines.Length)
        {
            throw new InspectException($"--cursor line {line} is past the end of the file ({lines.Length} lines)");
        }

        int start = lines.Take(line - 1).Sum(l => l.Length + 1);
        string body = lines[line - 1].TrimEnd('\r');
        return start + Math.Min(body.Length, (column ?? (body.Length + 1)) - 1);
    }
}

/// <summary>An inspect request that cannot be answered (a FILE that cannot be read, a bad cursor).</summary>
internal sealed class InspectException(string message) : Exception(message);
