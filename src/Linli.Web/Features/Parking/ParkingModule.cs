using Linli.Application.Common;
using Linli.Application.Parking;
using Linli.Domain.Parking;

namespace Linli.Web.Features.Parking;

/// <summary>Parking (停车导航): car parks, spaces, passes and lists, stays and their fees, the pay station and the barriers' endpoint.</summary>
public static class ParkingModule
{
    public static IServiceCollection AddParkingModule(this IServiceCollection services)
    {
        services.AddScoped<LotCommands>();
        services.AddScoped<SpaceCommands>();
        services.AddScoped<PassCommands>();
        services.AddScoped<ParkingQueries>();
        services.AddScoped<PayStation>();
        services.AddScoped<BarrierEvents>();
        // Records payments in the stay; the fees and payments module will register its gateway adapter here instead.
        services.AddScoped<IParkingPayments, RecordedParkingPayments>();
        services.AddScoped<IDomainEventHandler<ParkingSessionOpened>, OccupancyPush>();
        services.AddScoped<IDomainEventHandler<ParkingSessionClosed>, OccupancyPush>();
        return services;
    }

    public static IEndpointRouteBuilder MapParking(this IEndpointRouteBuilder app)
    {
        app.MapParkingApi();
        app.MapBarrierApi();
        return app;
    }
}
