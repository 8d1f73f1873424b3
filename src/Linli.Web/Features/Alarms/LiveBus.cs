using Linli.Web.Features.Cases;
using Microsoft.AspNetCore.SignalR;

namespace Linli.Web.Features.Alarms;

/// <summary>A push to the browsers in some SignalR groups of one hub ("ops" or "cases").</summary>
public sealed record LiveMessage(string Hub, IReadOnlyList<string> Groups, string Method, object Payload);

/// <summary>
/// Where live pushes go. Embedded: straight to this node's hubs. With RabbitMQ configured: to a fan-out exchange that every
/// web node reads, so a browser connected to any node hears a change made on any other.
/// </summary>
public interface ILiveBus
{
    Task PublishAsync(LiveMessage message, CancellationToken ct = default);
}

/// <summary>Delivers to the hubs of this process.</summary>
public sealed class LocalLiveBus(IHubContext<OpsHub> ops, IHubContext<CasesHub> cases) : ILiveBus
{
    public const string OpsHubName = "ops";
    public const string CasesHubName = "cases";

    public Task PublishAsync(LiveMessage message, CancellationToken ct = default) => DeliverAsync(message, ct);

    public Task DeliverAsync(LiveMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        IHubClients clients = message.Hub switch
        {
            OpsHubName => ops.Clients,
            CasesHubName => cases.Clients,
            _ => throw new ArgumentException($"Unknown hub {message.Hub}.", nameof(message)),
        };
        return clients.Groups(message.Groups).SendAsync(message.Method, message.Payload, ct);
    }
}
