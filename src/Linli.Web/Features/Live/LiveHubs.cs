using System.Text.Json;
using Linli.Application.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Linli.Web.Features.Live;

/// <summary>Delivers live messages to the SignalR hubs of this process.</summary>
public sealed class SignalRLiveDelivery(IHubContext<OpsHub> ops, IHubContext<CasesHub> cases, IOptions<JsonHubProtocolOptions> json) : ILocalLiveDelivery
{
    public JsonSerializerOptions PayloadOptions => json.Value.PayloadSerializerOptions;

    public Task DeliverAsync(LiveMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        IHubClients clients = message.Hub switch
        {
            LiveHubs.Ops => ops.Clients,
            LiveHubs.Cases => cases.Clients,
            _ => throw new ArgumentException($"Unknown hub {message.Hub}.", nameof(message)),
        };
        return clients.Groups(message.Groups).SendAsync(message.Method, message.Payload, ct);
    }
}
