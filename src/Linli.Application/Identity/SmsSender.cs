namespace Linli.Application.Identity;

/// <summary>Sends a text message. Real gateways are outside this machine; the embedded mode logs instead.</summary>
public interface ISmsSender
{
    Task SendAsync(string phone, string message, CancellationToken ct);
}
