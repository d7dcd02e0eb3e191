using System.Runtime.InteropServices;
using LLama.Native;

namespace LspLlama.Native;

/// <summary>
/// Resolves exports from the llama.cpp library that LLamaSharp has already loaded, so the process
/// never maps a second copy of llama.cpp. LLamaSharp registers its DllImportResolver in the
/// NativeApi static constructor; only after that does <c>NativeLibrary.Load("llama", …)</c>
/// hand back its handle.
/// </summary>
public static class NativeLibraryHandle
{
    private static readonly Lazy<nint> s_llama = new(LoadLlama, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<nint> s_ggmlBase = new(LoadGgmlBase, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Address of a llama.cpp export; throws a clear error when this build lacks it.</summary>
    public static nint Llama(string name) =>
        NativeLibrary.TryGetExport(s_llama.Value, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException(
                $"the llama.cpp library loaded by LLamaSharp does not export '{name}'");

    /// <summary>
    /// Address of a ggml/gguf export. On Linux dlsym on libllama also searches its dependencies
    /// (libggml-base); GetProcAddress on Windows does not, so fall back to loading ggml-base.
    /// </summary>
    public static nint Ggml(string name)
    {
        if (NativeLibrary.TryGetExport(s_llama.Value, name, out nint address))
        {
            return address;
        }

        if (s_ggmlBase.Value != 0 && NativeLibrary.TryGetExport(s_ggmlBase.Value, name, out address))
        {
            return address;
        }

        throw new EntryPointNotFoundException($"no loaded ggml library exports '{name}'");
    }

    private static nint LoadLlama()
    {
        NativeLogRouting.EnsureConfigured();

        // Any NativeApi call runs its static constructor, which registers LLamaSharp's resolver
        // and selects the native library (CPU variant, CUDA, …).
        NativeApi.llama_empty_call();
        return NativeLibrary.Load("llama", typeof(NativeApi).Assembly, null);
    }

    private static nint LoadGgmlBase()
    {
        _ = s_llama.Value;

        // LLamaSharp's resolver may know ggml-base by name; if it does not, the export is missing
        // and the caller gets a clear error instead of a crash.
        return NativeLibrary.TryLoad("ggml-base", typeof(NativeApi).Assembly, null, out nint handle) ? handle : 0;
    }
}
