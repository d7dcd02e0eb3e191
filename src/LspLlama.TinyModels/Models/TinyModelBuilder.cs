using System.Runtime.InteropServices;
using LspLlama.Native;

namespace LspLlama.Models;

/// <summary>
/// Builds a random-weight GGUF model of any supported architecture with llama.cpp itself:
/// metadata through <c>gguf_*</c>, tensors from <c>llama_model_init_from_user</c> with a seeded fill,
/// then <c>llama_model_save_to_file</c>. Every check that could otherwise end in a native abort
/// runs first and throws <see cref="ModelBuildException"/>.
/// </summary>
public static class TinyModelBuilder
{
    // llama.cpp's loader keeps some global state; building one model at a time is cheap and safe.
    private static readonly Lock s_buildLock = new();

    /// <summary>Builds the model and writes it atomically to <paramref name="outputPath"/>.</summary>
    public static void Build(ModelBuildOptions options, string outputPath)
    {
        Validate(options, outputPath);
        string fullPath = Path.GetFullPath(outputPath);
        string temporary = fullPath + ".partial-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        try
        {
            // Proves the folder is writable before any native work (and reserves the name).
            using (new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
            }

            lock (s_buildLock)
            {
                BuildNative(options, temporary);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ModelBuildException($"cannot write the model to '{outputPath}': {e.Message}", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Throws <see cref="ModelBuildException"/> naming every problem with the options and paths.</summary>
    public static void Validate(ModelBuildOptions options, string outputPath)
    {
        var problems = new List<string>(ArchitectureSpec.Problems(options));
        if (options.VocabPath is { } vocab)
        {
            if (!File.Exists(vocab))
            {
                problems.Add($"the vocabulary file '{vocab}' does not exist");
            }
            else if (!HasGgufMagic(vocab))
            {
                problems.Add($"the vocabulary file '{vocab}' is not a GGUF file");
            }
        }

        if (string.IsNullOrWhiteSpace(outputPath))
        {
            problems.Add("no output path given");
        }
        else if (Directory.Exists(outputPath))
        {
            problems.Add($"the output path '{outputPath}' is a directory");
        }
        else
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (directory is null || !Directory.Exists(directory))
            {
                problems.Add($"the output folder '{directory}' does not exist");
            }
        }

        if (problems.Count > 0)
        {
            throw new ModelBuildException(string.Join("; ", problems));
        }
    }

    private static unsafe void BuildNative(ModelBuildOptions options, string path)
    {
        using GgufContext metadata = GgufContext.CreateEmpty();
        int vocabSize = options.VocabPath is null
            ? TokenizerMetadata.WriteGenerated(metadata, GeneratedVocabulary.Default)
            : TokenizerMetadata.CopyFrom(metadata, options.VocabPath);
        ArchitectureSpec.Write(metadata, options, vocabSize);

        var fill = new TensorFill(options.Seed);
        GCHandle handle = GCHandle.Alloc(fill);
        nint model = 0;
        try
        {
            NativeModelParams parameters = LlamaApi.ModelDefaultParams();
            parameters.GpuLayerCount = 0;
            parameters.ProgressCallback = 0;
            parameters.ProgressCallbackUserData = 0;
            model = LlamaApi.ModelInitFromUser(metadata.Handle, &TensorFill.Callback, GCHandle.ToIntPtr(handle), parameters);
            if (model == 0)
            {
                throw new ModelBuildException(
                    $"llama.cpp could not create a {options.Arch.GgufName()} model from this metadata " +
                    "(set LSPLLAMA_NATIVE_LOG=info to see why)");
            }

            if (fill.Error is not null)
            {
                throw new ModelBuildException($"filling the tensors failed: {fill.Error}");
            }

            fixed (byte* p = Utf8String.Terminated(path))
            {
                LlamaApi.ModelSaveToFile(model, p);
            }
        }
        finally
        {
            if (model != 0)
            {
                LlamaApi.ModelFree(model);
            }

            handle.Free();
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new ModelBuildException($"llama.cpp wrote nothing to '{path}'");
        }
    }

    private static bool HasGgufMagic(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
