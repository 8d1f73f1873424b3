namespace Linli.Web.Features.Identity;

/// <summary>Sends a text message. Real gateways are outside this machine; the embedded mode logs instead.</summary>
public interface ISmsSender
{
    Task SendAsync(string phone, string message, CancellationToken ct);
}

/// <summary>The embedded-mode adapter: writes the message to the log, where a developer running the demo can read the code.</summary>
public sealed partial class LoggingSmsSender(ILogger<LoggingSmsSender> logger) : ISmsSender
{
    public Task SendAsync(string phone, string message, CancellationToken ct)
    {
        Log(logger, phone, message);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMS to {Phone}: {Message}")]
    static partial void Log(ILogger logger, string phone, string message);
}
