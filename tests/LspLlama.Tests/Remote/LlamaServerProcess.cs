using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LspLlama.Tests.Remote;

/// <summary>
/// A real llama-server on loopback, started through <c>scripts/llama-server.sh</c> (Debian unstable's
/// build, installed into the user's cache on first use, then reused). Failing to install or start is
/// a test failure with the script's last lines, never a skip.
/// </summary>
internal sealed class LlamaServerProcess : IDisposable
{
    /// <summary>The first start may download and unpack the packages.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(12);

    private readonly string _model;
    private readonly int _slots;
    private readonly ConcurrentQueue<string> _stderr = new();
    private Process? _process;

    private LlamaServerProcess(string model, int slots)
    {
        _model = model;
        _slots = slots;
        Port = FreePort();
        Url = new Uri($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }

    public Uri Url { get; }

    public static async Task<LlamaServerProcess> StartAsync(string model, int slots = 2)
    {
        var server = new LlamaServerProcess(model, slots);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port (after <see cref="Kill"/>).</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     Script(), "-m", _model, "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-c", (2048 * _slots).ToString(System.Globalization.CultureInfo.InvariantCulture), "-np", _slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-t", "1", "--no-webui",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < s_startTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"llama-server exited with {_process.ExitCode}:\n{string.Join('\n', _stderr)}");
            }

            try
            {
                using HttpResponseMessage health = await http.GetAsync("health");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        Kill();
        throw new TimeoutException($"llama-server did not become healthy in {s_startTimeout}:\n{string.Join('\n', _stderr)}");
    }

    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _stderr.Enqueue(line);
        while (_stderr.Count > 40)
        {
            _stderr.TryDequeue(out _);
        }
    }

    private static string Script()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "scripts", "llama-server.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("scripts/llama-server.sh not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
