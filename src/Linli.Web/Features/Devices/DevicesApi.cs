using Linli.Domain.Devices;
using Linli.Domain.Identity;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Shared;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Linli.Web.Features.Devices;

/// <summary>Device registry under /api/v1/devices: list, register (secret shown once), edit, rotate the secret, disable.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/devices").WithTags("Devices").RequireAuthorization(IdentityModule.Policy(Permission.ReadDevices)).ProducesAuthFailures();
        read.MapGet("/", List).WithName("ListDevices").WithSummary("Devices in the caller's area with health and last-seen; filter by type, health, community, search.")
            .ProducesInputFailure();
        read.MapGet("/{id:long}", Get).WithName("GetDevice").WithSummary("A device with its place, health and refused-message count.")
            .ProducesNotFound();

        var manage = app.MapGroup("/api/v1/devices").WithTags("Devices").RequireAuthorization(IdentityModule.Policy(Permission.ManageDevices)).ProducesAuthFailures();
        manage.MapPost("/", Register).WithName("RegisterDevice").WithSummary("Registers a device at a place; the answer holds its secret, shown once.")
            .ProducesInputFailure().ProducesConflict();
        manage.MapPut("/{id:long}", Update).WithName("UpdateDevice").WithSummary("Renames or moves a device.")
            .ProducesInputFailure().ProducesNotFound();
        manage.MapPost("/{id:long}/rotate-secret", Rotate).WithName("RotateDeviceSecret").WithSummary("Issues a new secret; the old one stops working at once.")
            .ProducesNotFound();
        manage.MapPost("/{id:long}/disable", Disable).WithName("DisableDevice").WithSummary("Revokes a device: its messages are refused.")
            .ProducesNotFound();
        manage.MapPost("/{id:long}/enable", Enable).WithName("EnableDevice").WithSummary("Lets a disabled device send again.")
            .ProducesNotFound();
        return app;
    }

    static async Task<Ok<Page<DeviceDto>>> List(DeviceCommands devices, DeviceType? type, DeviceHealth? health, int? communityId,
        string? search, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await devices.ListAsync(new DeviceFilter(type, health, communityId, search), PageRequest.From(page, pageSize), ct));

    static async Task<Ok<DeviceDto>> Get(long id, DeviceCommands devices, CancellationToken ct) => TypedResults.Ok(await devices.GetAsync(id, ct));

    static async Task<Created<DeviceWithSecret>> Register(DeviceRequest request, DeviceCommands devices, CancellationToken ct)
    {
        var created = await devices.RegisterAsync(request, ct);
        return TypedResults.Created($"/api/v1/devices/{created.Device.Id}", created);
    }

    static async Task<Ok<DeviceDto>> Update(long id, DeviceRequest request, DeviceCommands devices, CancellationToken ct) =>
        TypedResults.Ok(await devices.UpdateAsync(id, request, ct));

    static async Task<Ok<DeviceWithSecret>> Rotate(long id, DeviceCommands devices, CancellationToken ct) =>
        TypedResults.Ok(await devices.RotateSecretAsync(id, ct));

    static async Task<Ok<DeviceDto>> Disable(long id, DeviceCommands devices, CancellationToken ct) => TypedResults.Ok(await devices.SetEnabledAsync(id, false, ct));

    static async Task<Ok<DeviceDto>> Enable(long id, DeviceCommands devices, CancellationToken ct) => TypedResults.Ok(await devices.SetEnabledAsync(id, true, ct));
}
