using Linli.Application.Common;

namespace Linli.Infrastructure.Messaging;

/// <summary>Ready while this node is connected to the broker's live exchange: without it, it would miss other nodes' edits.</summary>
public sealed class BrokerProbe(RabbitMqLiveBus bus) : IReadinessProbe
{
    public string Name => "broker";

    public Task<ProbeResult> ProbeAsync(CancellationToken ct) => Task.FromResult(bus.IsConnected
        ? new ProbeResult(true, "connected")
        : new ProbeResult(false, "not connected to the broker (reconnecting)"));
}
