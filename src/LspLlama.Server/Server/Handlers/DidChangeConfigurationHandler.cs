using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server.Settings;
using Microsoft.Extensions.Logging;

namespace LspLlama.Server.Handlers;

/// <summary>
/// <c>workspace/didChangeConfiguration</c>: settings pushed in <c>params.settings</c> are applied;
/// when the push carries none and the client serves <c>workspace/configuration</c>, they are pulled.
/// </summary>
public sealed class DidChangeConfigurationHandler(ServerLifecycle lifecycle, ILoggerFactory loggers, SettingsStore settingsStore, ConfigurationPuller configuration)
    : NotificationHandler<DidChangeConfigurationParams?>(lifecycle, loggers)
{
    public override string Method => LspMethods.DidChangeConfiguration;

    protected override bool ParamsOptional => true;

    protected override void Handle(DidChangeConfigurationParams? notification)
    {
        JsonElement? settings = notification?.Settings;
        bool pushed = settings is JsonElement s && s.ValueKind == JsonValueKind.Object && s.EnumerateObject().Any();
        if (pushed)
        {
            settingsStore.Apply(settings, Method);
        }
        else
        {
            configuration.Start();
        }
    }
}
