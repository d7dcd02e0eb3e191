namespace LspLlama.Server.Handlers;

/// <summary>The one list of every method the server serves. A new method is one line here.</summary>
public static class HandlerRegistry
{
    public static IReadOnlyList<ILspHandler> Create(ServerServices services) =>
    [
        new InitializeHandler(services),
        new InitializedHandler(services),
        new ShutdownHandler(services),
        new ExitHandler(services),
        new DidOpenHandler(services),
        new DidChangeHandler(services),
        new DidCloseHandler(services),
        new DidSaveHandler(services),
        new DidChangeConfigurationHandler(services),
        new DocumentTextHandler(services),
        new InlineCompletionHandler(services),
        new CompletionHandler(services),
        new StatusHandler(services),
    ];
}
