using System.Text.Json;

namespace Linli.Application.Live;

/// <summary>A push to the browsers in some groups of one hub (<see cref="LiveHubs.Ops"/> or <see cref="LiveHubs.Cases"/>).</summary>
public sealed record LiveMessage(string Hub, IReadOnlyList<string> Groups, string Method, object Payload);

/// <summary>The names of the live hubs and of the groups a connection joins.</summary>
public static class LiveHubs
{
    public const string Ops = "ops";
    public const string Cases = "cases";

    public static string UserGroup(int userId) => $"user:{userId}";

    /// <summary>The groups of a place's nodes, its grid up to its district: whoever watches any of them hears the push.</summary>
    public static List<string> NodeGroups(int gridId, int communityId, int streetId, int districtId) =>
        [$"grid:{gridId}", $"community:{communityId}", $"street:{streetId}", $"district:{districtId}"];
}

/// <summary>
/// Where live pushes go. Embedded: straight to this node's hubs. With RabbitMQ configured: to a fan-out exchange that every
/// web node reads, so a browser connected to any node hears a change made on any other.
/// </summary>
public interface ILiveBus
{
    Task PublishAsync(LiveMessage message, CancellationToken ct = default);
}

/// <summary>The hubs of this process (the web host implements it over SignalR).</summary>
public interface ILocalLiveDelivery
{
    /// <summary>How the hubs write payloads, so that a push relayed from another node reads the same as a local one.</summary>
    JsonSerializerOptions PayloadOptions { get; }

    Task DeliverAsync(LiveMessage message, CancellationToken ct = default);
}

/// <summary>The embedded bus: this process's hubs only.</summary>
public sealed class LocalLiveBus(ILocalLiveDelivery hubs) : ILiveBus
{
    public Task PublishAsync(LiveMessage message, CancellationToken ct = default) => hubs.DeliverAsync(message, ct);
}
