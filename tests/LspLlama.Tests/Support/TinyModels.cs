global using TinyArch = LspLlama.Models.ModelArch;

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LspLlama.Models;
using LspLlama.Native;

namespace LspLlama.Tests.Support;

/// <summary>
/// Tiny random-weight models for tests, built by llama.cpp on first use and cached for the test run.
/// <c>TinyModels.Get(TinyArch.GraniteHybrid)</c> returns the path of a small model with the generated
/// BPE vocabulary (FIM tokens included); pass <see cref="ModelBuildOptions"/> for anything else.
/// Thread-safe: concurrent callers of the same model wait for one build.
/// </summary>
internal static class TinyModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> s_models = new(StringComparer.Ordinal);

    /// <summary>Folder of the cached models; keyed by the product build, so a changed builder never reuses old files.</summary>
    public static string CacheFolder { get; } = Path.Combine(
        AppContext.BaseDirectory,
        "tiny-models",
        typeof(TinyModelBuilder).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12]);

    /// <summary>The default tiny model of an architecture: 2 layers, embedding 64, generated vocabulary, seed 1.</summary>
    public static string Get(TinyArch arch) => Get(new ModelBuildOptions { Arch = arch });

    /// <summary>A model built from exactly these options.</summary>
    public static string Get(ModelBuildOptions options)
    {
        // Quiet native logs (warnings only, on stderr) also when every model comes from the cache.
        NativeLogRouting.EnsureConfigured();
        string key = options.Describe() + "|" + options.VocabPath;
        return s_models.GetOrAdd(key, k => new Lazy<string>(() => Build(options, k))).Value;
    }

    private static string Build(ModelBuildOptions options, string key)
    {
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
        string path = Path.Combine(CacheFolder, $"{options.Arch.GgufName()}-{hash}.gguf");
        if (!File.Exists(path))
        {
            if (!Directory.Exists(CacheFolder))
            {
                Directory.CreateDirectory(CacheFolder);
                DeleteStaleFolders();
            }

            TinyModelBuilder.Build(options, path);
        }

        return path;
    }

    /// <summary>Models of earlier product builds are never used again; drop them (best effort).</summary>
    private static void DeleteStaleFolders()
    {
        foreach (string folder in Directory.GetDirectories(Path.GetDirectoryName(CacheFolder)!))
        {
            if (folder != CacheFolder)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
