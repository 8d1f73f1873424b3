using Linli.Infrastructure;
using Linli.Infrastructure.Persistence;
using Linli.Web.Components;
using Linli.Web.Features.Access;
using Linli.Web.Features.Alarms;
using Linli.Web.Features.Cases;
using Linli.Web.Features.Exchange;
using Linli.Web.Features.Exchange.Open311;
using Linli.Web.Features.Identity;
using Linli.Web.Features.Notices;
using Linli.Web.Features.Parking;
using Linli.Web.Features.Registry;
using Linli.Web.Features.Shared;
using Linli.Web.Features.Statistics;

var builder = WebApplication.CreateBuilder(args);
var seedOverride = args.SkipWhile(a => a != "--seed").Skip(1).FirstOrDefault();

builder.Services.AddLinliPersistence(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddLinliWeb(builder.Configuration);
builder.Services.AddIdentityModule(builder.Configuration);
builder.Services.AddRegistryModule();
builder.Services.AddImportExport();
builder.Services.AddStatisticsModule();
builder.Services.AddCasesModule(builder.Configuration);
builder.Services.AddOpen311(builder.Configuration);
builder.Services.AddHierarchyExchange(builder.Configuration);
builder.Services.AddNoticesModule();
builder.Services.AddMonitoringModule(builder.Configuration);
builder.Services.AddAccessModule(builder.Configuration);
builder.Services.AddParkingModule();
builder.Services.AddObservabilityModule(builder.Configuration);

var app = builder.Build();

if (args.Contains("--schema-script"))
{
    // Prints the create script of the EF model for the configured provider: the starting point of a new migration.
    using var scope = app.Services.CreateScope();
    Console.WriteLine(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GenerateCreateScript(
        scope.ServiceProvider.GetRequiredService<ILinliDb>().Database));
    return;
}

await app.PrepareDatabaseAsync(seedOverride);

app.UseLinliWeb();
app.UseReadSourceHeader();
app.MapObservability();
app.MapLanguageSwitch();
app.MapIdentity();
app.MapRegistryApi();
app.MapImportExport();
app.MapStatisticsApi();
app.MapCasesApi();
app.MapOpen311();
app.MapHierarchyExchange();
app.MapNoticesApi();
app.MapMonitoring();
app.MapAccess();
app.MapParking();
app.MapRazorComponents<App>();

app.Run();

public partial class Program;
