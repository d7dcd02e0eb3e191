using System.Text.Json;
using LspLlama.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Server.Settings;

/// <summary>
/// Asks the client for the <c>lspllama</c> section with <c>workspace/configuration</c>, when the
/// client said it can answer. Runs in the background: a slow or failing client only costs a warning.
/// </summary>
public static class ConfigurationPuller
{
    public static void Start(ServerServices services)
    {
        if (services.ClientCapabilities.Workspace?.Configuration != true)
        {
            return;
        }

        _ = PullAsync(services);
    }

    private static async Task PullAsync(ServerServices services)
    {
        ILogger logger = services.Loggers.CreateLogger("settings");
        try
        {
            ConfigurationParams request = new([new ConfigurationItem(Section: SettingsBinder.Section)]);
            JsonElement[]? result = await services.Rpc
                .InvokeWithParameterObjectAsync<JsonElement[]?>(LspMethods.Configuration, request)
                .ConfigureAwait(false);
            if (result is { Length: > 0 })
            {
                services.Settings.Apply(result[0], LspMethods.Configuration);
            }
        }
        catch (Exception e) when (e is RemoteInvocationException or ConnectionLostException or ObjectDisposedException or JsonException or OperationCanceledException)
        {
            logger.LogWarning("{Method} failed: {Error}", LspMethods.Configuration, e.Message);
        }
    }
}
