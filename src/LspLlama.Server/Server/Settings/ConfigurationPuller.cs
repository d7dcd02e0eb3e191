using System.Text.Json;
using LspLlama.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace LspLlama.Server.Settings;

/// <summary>
/// Asks the client for the <c>lspllama</c> section with <c>workspace/configuration</c>, when the
/// client said it can answer. Runs in the background: a slow or failing client only costs a warning.
/// </summary>
public sealed class ConfigurationPuller(JsonRpc rpc, ServerLifecycle lifecycle, SettingsStore settings, ILogger logger)
{
    public void Start()
    {
        if (lifecycle.Client.Capabilities.Workspace?.Configuration != true)
        {
            return;
        }

        _ = PullAsync();
    }

    private async Task PullAsync()
    {
        try
        {
            ConfigurationParams request = new([new ConfigurationItem(Section: SettingsBinder.Section)]);
            JsonElement[]? result = await rpc
                .InvokeWithParameterObjectAsync<JsonElement[]?>(LspMethods.Configuration, request)
                .ConfigureAwait(false);
            if (result is { Length: > 0 })
            {
                settings.Apply(result[0], LspMethods.Configuration);
            }
        }
        catch (Exception e) when (e is RemoteInvocationException or ConnectionLostException or ObjectDisposedException or JsonException or OperationCanceledException)
        {
            logger.LogWarning("{Method} failed: {Error}", LspMethods.Configuration, e.Message);
        }
    }
}
