using Linli.Application.Identity;
using Microsoft.Extensions.Logging;

namespace Linli.Infrastructure.Sms;

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
