namespace Linli.Application.Exchange.Open311;

/// <summary>Settings of the Open311 endpoint (<c>Linli:Open311</c>).</summary>
public sealed class Open311Options
{
    /// <summary>Discovery's "contact": how a developer reaches the people who run this installation.</summary>
    public string Contact { get; set; } = "Ask the district office that runs this platform.";
    /// <summary>Discovery's "key_service": how to get an api_key.</summary>
    public string KeyService { get; set; } = "API keys are issued by the district office (POST /api/v1/open311/clients).";
    /// <summary>"production" or "test": whether reports sent here are acted upon.</summary>
    public string EndpointType { get; set; } = "production";
    /// <summary>Reports a new client may file per day unless its issuer says otherwise.</summary>
    public int DefaultDailyLimit { get; set; } = 1000;
}
