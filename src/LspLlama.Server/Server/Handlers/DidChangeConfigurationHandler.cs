using System.Text.Json;
using LspLlama.Protocol;
using LspLlama.Server.Settings;

namespace LspLlama.Server.Handlers;

/// <summary>
/// <c>workspace/didChangeConfiguration</c>: settings pushed in <c>params.settings</c> are applied;
/// when the push carries none and the client serves <c>workspace/configuration</c>, they are pulled.
/// </summary>
public sealed class DidChangeConfigurationHandler(ServerServices services) : NotificationHandler<DidChangeConfigurationParams?>(services)
{
    public override string Method => LspMethods.DidChangeConfiguration;

    protected override bool ParamsOptional => true;

    protected override void Handle(DidChangeConfigurationParams? notification)
    {
        JsonElement? settings = notification?.Settings;
        bool pushed = settings is JsonElement s && s.ValueKind == JsonValueKind.Object && s.EnumerateObject().Any();
        if (pushed)
        {
            Services.Settings.Apply(settings, Method);
        }
        else
        {
            ConfigurationPuller.Start(Services);
        }
    }
}
