using System.Globalization;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LspLlama.Core.Context;
using LspLlama.Core.Context.Formats;
using LspLlama.Core.Session;
using LspLlama.Core.Tokens;
using LspLlama.Engine;
using LspLlama.Llama;
using LspLlama.ModelFiles;
using LspLlama.Native;
using LspLlama.Server.Settings;

namespace LspLlama.Cli;

/// <summary>
/// Gathers and prints what <c>lspllama inspect</c> shows. A model is loaded as the server loads it
/// (same checks first, same memory probe); a vocabulary-only file (no tensors) is loaded for its
/// tokenizer only and has no memory kind.
/// </summary>
internal static class ModelInspector
{
    /// <summary>The prompt shown when no FILE is given: a few lines of code with the cursor mid-file.</summary>
    internal const string SampleText =
        "def greet(name):\n    message = \"Hello, \" + name\n    return message\n\n\nprint(greet(\"world\"))\n";

    /// <summary>In the sample: after "    return ", so the prompt shows the cursor's line after the middle marker.</summary>
    private const string SampleCursor = "3:12";

    /// <summary>Tokens decoded at most before the checkpoint size is measured.</summary>
    private const int MeasureTokens = 512;

    public static void Run(InspectOptions options, TextWriter output)
    {
        string path = options.ModelPath;
        GgufHeader header = GgufHeader.Read(path);
        NativeLogRouting.EnsureConfigured();
        (string fileName, string text) = ReadFile(options.FilePath);
        int cursor = (options.FilePath is null && options.CursorText is null ? options with { CursorText = SampleCursor } : options).CursorIn(text);
        long bytes = new FileInfo(path).Length;
        var w = new Report(output);
        w.Line("model", $"{path} ({bytes:N0} bytes, {bytes / 1048576.0:F1} MiB, GGUF v{header.Version}, {header.TensorCount} tensors)");
        if (header.TensorCount == 0)
        {
            using LLamaWeights vocabulary = LoadVocabulary(path);
            var tokenizer = new LlamaTokenizer(vocabulary.NativeHandle);
            w.Line("architecture", tokenizer.Facts.Architecture ?? header.Architecture ?? "unknown");
            w.Line("memory", "none: a vocabulary-only file (no tensors), so no context can be made and no memory kind tried");
            string trained = vocabulary.Metadata.GetValueOrDefault($"{tokenizer.Facts.Architecture}.context_length") ?? "an unknown number of";
            w.Line("context", $"trained for {trained} tokens (from the metadata); the server would plan {options.ContextSize}");
            w.Line("checkpoint", "none: no memory to checkpoint in a vocabulary-only file");
            ContextPlan plan = Plan(tokenizer, options, options.ContextSize);
            Describe(w, tokenizer, plan, fileName, cursor, BuildPrompt(plan, fileName, text, cursor), text);
            return;
        }

        using LoadedModel model = Load(path, options);
        w.Line("architecture", model.Architecture);
        MemoryProbe probe = model.Backend.Probe;
        w.Line("memory", $"{probe.Describe().Replace("memory: ", string.Empty, StringComparison.Ordinal)}, tried as at load");
        w.Line("context", $"{model.Backend.ContextSize} tokens (trained for {model.Weights.ContextSize}); batch {model.Backend.BatchSize}");
        ContextPlan modelPlan = Plan(model.Tokenizer, options, model.Backend.ContextSize);
        int[] prompt = BuildPrompt(modelPlan, fileName, text, cursor);
        w.Line("checkpoint", CheckpointLine(model, prompt));
        Describe(w, model.Tokenizer, modelPlan, fileName, cursor, prompt, text);
    }

    private static int[] BuildPrompt(ContextPlan plan, string fileName, string text, int cursor)
    {
        plan.Open("file:///" + fileName, fileName, text);
        plan.SetActive("file:///" + fileName, cursor);
        return plan.Build().Tokens.ToArray();
    }

    private static void Describe(Report w, ITokenizer tokenizer, ContextPlan plan, string fileName, int cursor, int[] prompt, string text)
    {
        PromptFormat format = plan.Format;
        var vocab = new VocabularyLookup(tokenizer);
        w.Line("format", $"{format.Name} ({format.Family}), layout {format.Layout}");
        w.Line("why", format.Reason);
        w.Line("FIM ids", Ids(tokenizer.Special));
        w.Line("stop tokens", string.Join(", ", format.StopTokens.Select(vocab.Describe)));
        w.Line("other files", Render(tokenizer, format, format.Headers("other/file.py").Other).Replace("\n", "\\n", StringComparison.Ordinal) + "…");
        ReadOnlySpan<char> before = text.AsSpan(0, cursor);
        int line = before.Count('\n') + 1;
        int column = cursor - (before.LastIndexOf('\n') + 1) + 1;
        w.Line("prompt", $"{fileName}, cursor at line {line}, column {column}: {prompt.Length} tokens; special tokens in «»");
        w.Raw("-----8<-----");
        w.Raw(Render(tokenizer, format, prompt));
        w.Raw("----->8-----");
    }

    private static string CheckpointLine(LoadedModel model, int[] prompt)
    {
        if (model.Backend.MemoryKind == MemoryKind.Attention)
        {
            return "none needed: an attention-only KV cache is cut at any token";
        }

        // The partial state grows with the tokens held in a sliding window: measure after the prompt.
        LlamaSessionBackend backend = model.Backend;
        int count = Math.Min(prompt.Length, MeasureTokens);
        backend.Clear();
        for (int start = 0; start < count; start += backend.BatchSize)
        {
            backend.Decode(prompt.AsSpan(start, Math.Min(backend.BatchSize, count - start)), start);
        }

        int size = backend.PartialStateSize();
        backend.Clear();
        return string.Create(CultureInfo.InvariantCulture, $"{size:N0} bytes each ({size / 1048576.0:F2} MiB; partial state after {count} tokens)");
    }

    private static string Ids(SpecialTokens s)
    {
        static string Id(int? id) => id?.ToString(CultureInfo.InvariantCulture) ?? "-";
        return $"llama.cpp reports prefix {Id(s.FimPrefix)}, suffix {Id(s.FimSuffix)}, middle {Id(s.FimMiddle)}, pad {Id(s.FimPad)}, "
            + $"repo {Id(s.FimRepo)}, sep {Id(s.FimFileSeparator)}; BOS {Id(s.Bos)}{(s.AddBos ? " (added)" : string.Empty)}, EOS {Id(s.Eos)}";
    }

    /// <summary>The tokens' text, special tokens as «text»; bytes of a character split over tokens are joined first.</summary>
    internal static string Render(ITokenizer tokenizer, PromptFormat format, ReadOnlySpan<int> tokens)
    {
        var text = new StringBuilder();
        var pending = new List<byte>();
        foreach (int token in tokens)
        {
            if (format.SpecialIds.Contains(token))
            {
                text.Append(Encoding.UTF8.GetString([.. pending])).Append('«').Append(Encoding.UTF8.GetString(tokenizer.TokenBytes(token))).Append('»');
                pending.Clear();
            }
            else
            {
                pending.AddRange(tokenizer.TokenBytes(token).ToArray());
            }
        }

        return text.Append(Encoding.UTF8.GetString([.. pending])).ToString();
    }

    private static ContextPlan Plan(ITokenizer tokenizer, InspectOptions options, int contextSize)
    {
        try
        {
            return new ContextPlan(tokenizer, new ContextSettings { ContextSize = contextSize, Format = options.Format });
        }
        catch (ArgumentException e)
        {
            throw new InspectException($"the context settings do not fit this model: {e.Message}");
        }
    }

    private static (string Name, string Text) ReadFile(string? path)
    {
        if (path is null)
        {
            return ("sample.py", SampleText);
        }

        try
        {
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            return (Path.GetFileName(path), File.ReadAllText(path, strict));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new InspectException($"cannot read '{path}': {(e is DecoderFallbackException ? "it is not UTF-8 text" : e.Message)}");
        }
    }

    private static LLamaWeights LoadVocabulary(string path)
    {
        try
        {
            return LLamaWeights.LoadFromFile(new ModelParams(path) { VocabOnly = true, GpuLayerCount = 0 });
        }
        catch (LoadWeightsFailedException)
        {
            throw new InvalidModelFileException(path, "llama.cpp could not read its vocabulary (damaged or truncated?)");
        }
    }

    private static LoadedModel Load(string path, InspectOptions options)
    {
        ModelSettings model = ServerSettings.Default.Model with { ContextSize = options.ContextSize };
        try
        {
            return LoadedModel.Load(path, model, ServerSettings.Default.Checkpoints);
        }
        catch (InvalidModelFileException e)
        {
            throw new InvalidModelFileException(path, e.Reason);
        }
    }

    /// <summary>Aligned "key  value" lines, then the prompt as it is.</summary>
    private sealed class Report(TextWriter output)
    {
        public void Line(string key, string value) => output.Write(string.Create(CultureInfo.InvariantCulture, $"{key,-13}{value}\n"));

        public void Raw(string text) => output.Write(text.EndsWith('\n') ? text : text + "\n");
    }
}
