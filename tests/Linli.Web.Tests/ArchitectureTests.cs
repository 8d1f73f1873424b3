using System.Reflection;
using NetArchTest.Rules;

namespace Linli.Web.Tests;

/// <summary>
/// The floor plan of docs/architecture.md, held by the build: which layer may reach which, and which module may use which.
/// A failure names the types that cross a line.
/// </summary>
public sealed class ArchitectureTests
{
    static readonly Assembly Domain = typeof(Linli.Domain.Cases.Case).Assembly;
    static readonly Assembly Application = typeof(Linli.Application.Common.ILinliDb).Assembly;
    static readonly Assembly Infrastructure = typeof(Linli.Infrastructure.Persistence.LinliDbContext).Assembly;
    static readonly Assembly Web = typeof(Program).Assembly;

    /// <summary>The modules: the same folder (and namespace) names in Domain, Application and Web.</summary>
    static readonly string[] Modules = ["Registry", "Identity", "Cases", "Notices", "Devices", "Alarms", "Live", "Access", "Parking", "Exchange", "Statistics"];

    /// <summary>
    /// What a module may use of another module besides Common: its public services, its events, and for the modules
    /// every other one builds on, its types. Anything not listed is a line crossed. Each entry says why it is allowed.
    /// </summary>
    static readonly Dictionary<(string From, string To), string> Allowed = new()
    {
        // Identity and the registry are the platform's shared ground: who is asking, in which scope, about which place.
        // Every module reads places and people (read-only); only Registry writes them.
        [("*", "Identity")] = "roles, scopes and the current user are everyone's",
        [("*", "Registry")] = "places and people are the shared reference data every module reads",
        [("*", "Live")] = "every module pushes its changes to the browsers through the live bus",
        [("Alarms", "Devices")] = "rules and alarms are about devices: the alarm module reads the device directory",
        [("Alarms", "Cases")] = "an alarm that needs work on site opens a case through SubmitCase",
        [("Alarms", "Exchange")] = "alarm changes are queued for the signed webhooks of the Exchange module",
        [("Exchange", "Alarms")] = "webhooks carry alarms to outside systems",
        [("Exchange", "Cases")] = "Open311 speaks for cases to outside apps; the higher platform's tasks become cases through SubmitCase and go back up as CaseRecords",
        [("Exchange", "Notices")] = "the higher platform's notices are published through NoticeCommands",
        [("Exchange", "Statistics")] = "the registry's figures go up to the higher platform from the statistics queries",
        [("Alarms", "Access")] = "the welfare check counts a resident's own passages as a sign of life (ResidentPassages)",
        [("Access", "Cases")] = "a contractor dispatched to a case gets in at its place on its dates (CaseRecords.WorkPlaceAsync)",
        [("Access", "Devices")] = "door controllers and barriers are devices: they authenticate, show online and raise events (five refusals) as devices",
        [("Parking", "Devices")] = "car park barriers are devices: they authenticate with their own secret and show online as devices",
        [("Statistics", "Cases")] = "statistics is the read side: it counts cases",
        [("Statistics", "Devices")] = "statistics is the read side",
        [("Statistics", "Alarms")] = "statistics is the read side",
        [("Statistics", "Notices")] = "statistics is the read side",
    };

    static bool IsAllowed(string from, string to) =>
        from == to || to == "Common" || Allowed.ContainsKey((from, to)) || Allowed.ContainsKey(("*", to));

    [Fact]
    public void The_domain_depends_on_nothing_but_dotnet()
    {
        AssertNone(Types.InAssembly(Domain).ShouldNot().HaveDependencyOnAny(
            "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Microsoft.Extensions", "Linli.Application", "Linli.Infrastructure", "Linli.Web",
            "Npgsql", "Microsoft.Data.Sqlite", "RabbitMQ").GetResult(), "Domain");
        Assert.DoesNotContain(Domain.GetReferencedAssemblies(), a => a.Name!.StartsWith("Linli.", StringComparison.Ordinal));
    }

    [Fact]
    public void Application_knows_the_database_only_through_EF_Core_abstractions_and_nothing_of_the_web()
    {
        AssertNone(Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny(
            "Microsoft.AspNetCore", "Linli.Infrastructure", "Linli.Web", "Npgsql", "Microsoft.Data.Sqlite", "Microsoft.EntityFrameworkCore.Sqlite",
            "SQLitePCL", "RabbitMQ").GetResult(), "Application");
        var references = Application.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Npgsql", StringComparison.Ordinal)
            || r is "Linli.Infrastructure" or "Linli.Web" or "Microsoft.Data.Sqlite" or "RabbitMQ.Client");
    }

    [Fact]
    public void Infrastructure_has_no_ASP_NET_Core_and_no_web()
    {
        AssertNone(Types.InAssembly(Infrastructure).ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", "Linli.Web").GetResult(), "Infrastructure");
        Assert.DoesNotContain(Infrastructure.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || a.Name == "Linli.Web");
    }

    [Fact]
    public void Web_reaches_Infrastructure_only_where_it_composes_the_host()
    {
        // Endpoints, pages and hubs call Application; only the composition (module registration, start-up, the data-protection
        // key store and the demo's device file) names Infrastructure types.
        var result = Types.InAssembly(Web)
            .That().DoNotHaveNameEndingWith("Module").And().DoNotHaveName("Program").And().DoNotHaveName("HostSetup")
            .And().DoNotHaveName("DatabaseXmlRepository").And().DoNotHaveName("DemoDevices").And().DoNotHaveName("DatabaseHealthCheck")
            .And().DoNotHaveNameStartingWith("<")
            .ShouldNot().HaveDependencyOnAny("Linli.Infrastructure").GetResult();
        AssertNone(result, "Web (outside composition)");
    }

    /// <summary>
    /// What it takes to query or write the database: the port, the context, its sets, EF's query and change-tracking
    /// methods, its transactions. Not EF's exceptions: a page may catch a refused concurrent save, which is how a conflict
    /// shows itself, not a query.
    /// </summary>
    static readonly string[] DatabaseAccess =
    [
        "Linli.Application.Common.ILinliDb", "Linli.Application.Common.ILinliReadDb", "Linli.Infrastructure.Persistence.LinliDbContext",
        "Microsoft.EntityFrameworkCore.DbContext", "Microsoft.EntityFrameworkCore.DbSet", "Microsoft.EntityFrameworkCore.EF",
        "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions", "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions",
        "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions", "Microsoft.EntityFrameworkCore.Infrastructure",
        "Microsoft.EntityFrameworkCore.Storage", "Microsoft.EntityFrameworkCore.ChangeTracking", "Microsoft.EntityFrameworkCore.Query",
    ];

    /// <summary>The host's composition: module registration, start-up, the data-protection key store, the health check.</summary>
    static bool IsComposition(Mono.Cecil.TypeDefinition type)
    {
        // A lambda or an async method compiles to a type nested in the one that wrote it: judged as that one.
        while (type.DeclaringType is { } outer) type = outer;
        return type.Name.EndsWith("Module", StringComparison.Ordinal)
            || type.Name is "Program" or "HostSetup" or "DatabaseXmlRepository" or "DatabaseHealthCheck";
    }

    [Fact]
    public void Web_reaches_the_database_only_through_Application()
    {
        // Endpoints, pages (a Razor component is a class of this assembly) and hubs call Application's queries and commands,
        // which run under the caller's scope; only the composition opens the database itself.
        var result = Types.InAssembly(Web).That().MeetCustomRule(t => !IsComposition(t))
            .ShouldNot().HaveDependencyOnAny(DatabaseAccess).GetResult();
        AssertNone(result, "Web (outside composition) reaching the database");
    }

    [Fact]
    public void Web_holds_no_background_work_and_no_database_context_of_its_own()
    {
        AssertNone(Types.InAssembly(Web).ShouldNot().Inherit(typeof(Microsoft.Extensions.Hosting.BackgroundService)).GetResult(), "Web background services");
        AssertNone(Types.InAssembly(Web).ShouldNot().Inherit(typeof(Microsoft.EntityFrameworkCore.DbContext)).GetResult(), "Web DbContexts");
    }

    [Fact]
    public void A_module_uses_another_module_only_along_the_allowed_lines()
    {
        var crossings = new List<string>();
        foreach (var (assembly, layer) in new[] { (Domain, "Linli.Domain"), (Application, "Linli.Application") })
        {
            foreach (var from in Modules)
            {
                var forbidden = Modules.Where(to => !IsAllowed(from, to))
                    .SelectMany(to => new[] { $"Linli.Domain.{to}", $"Linli.Application.{to}" }).ToArray();
                if (forbidden.Length == 0) continue;
                var result = Types.InAssembly(assembly).That().ResideInNamespace($"{layer}.{from}")
                    .ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
                if (!result.IsSuccessful)
                    crossings.AddRange(result.FailingTypes.Select(t => $"{t.FullName} ({from}) uses a module it may not"));
            }
        }
        Assert.True(crossings.Count == 0, "Module lines crossed:\n" + string.Join("\n", crossings));
    }

    [Fact]
    public void The_device_module_tells_the_alarm_rules_through_its_observer_port_and_names_nothing_of_alarms()
    {
        // Domain and Application are held by the module lines above; the device pages and APIs and the device adapters of
        // Infrastructure (readings writer, MQTT ingestion, the directory's broadcast) are held here (ADR 0011).
        string[] alarms = ["Linli.Domain.Alarms", "Linli.Application.Alarms", "Linli.Web.Features.Alarms"];
        AssertNone(Types.InAssembly(Web).That().ResideInNamespace("Linli.Web.Features.Devices").ShouldNot().HaveDependencyOnAny(alarms).GetResult(),
            "Web/Features/Devices");
        AssertNone(Types.InAssembly(Infrastructure).That().HaveName("ReadingWriter").Or().HaveName("ReadingWriterFactory").Or().HaveName("MqttIngestion")
            .Or().HaveName("BroadcastingDirectorySync").ShouldNot().HaveDependencyOnAny(alarms).GetResult(), "the device adapters");
        Assert.Contains(typeof(Linli.Application.Devices.IDeviceObserver), typeof(Linli.Application.Alarms.RuleEvaluator).GetInterfaces());
    }

    [Fact]
    public void Every_module_has_the_same_folder_in_every_layer_that_holds_it()
    {
        // The Web project has a folder per module with its endpoints and pages; Application has one per module with use cases.
        var webModules = Web.GetTypes().Select(t => t.Namespace ?? "")
            .Where(n => n.StartsWith("Linli.Web.Features.", StringComparison.Ordinal)).Select(n => n.Split('.')[3]).ToHashSet();
        var appModules = Application.GetTypes().Select(t => t.Namespace ?? "")
            .Where(n => n.StartsWith("Linli.Application.", StringComparison.Ordinal)).Select(n => n.Split('.')[2]).ToHashSet();
        Assert.Empty(webModules.Except(Modules).Except(["Shared", "Home"]));
        Assert.Empty(appModules.Except(Modules).Except(["Common"]));
    }

    [Fact]
    public void The_scope_filters_are_switched_off_only_in_the_reviewed_unscoped_reads()
    {
        // Background work declares its scope; a request that must look past its own says why in Unscoped, nowhere else.
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Linli.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("No Linli.slnx above the tests.");
        var allowed = Path.Combine("src", "Linli.Application", "Common", "Unscoped.cs");
        var offenders = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin") && f != allowed)
            .Where(f => File.ReadAllText(Path.Combine(root, f)).Contains("IgnoreQueryFilters(", StringComparison.Ordinal))
            .ToList();
        Assert.True(offenders.Count == 0, "IgnoreQueryFilters outside Unscoped: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Statistics_and_exports_read_through_the_stale_tolerant_port()
    {
        // They may read the replica (ADR 0015): nothing in them can reach the primary's writable context, so a statistic
        // cannot quietly go back to loading the primary, and an export writes only its audit entry (through AuditLog).
        AssertNone(Types.InAssembly(Application).That().ResideInNamespace("Linli.Application.Statistics")
            .ShouldNot().HaveDependencyOnAny("Linli.Application.Common.ILinliDb").GetResult(), "Statistics reaching the primary");
        Assert.Contains(typeof(Linli.Application.Common.ILinliReadDb), typeof(Linli.Application.Registry.ResidentExport).GetConstructors().Single()
            .GetParameters().Select(p => p.ParameterType));
    }

    static void AssertNone(TestResult result, string what) =>
        Assert.True(result.IsSuccessful, $"{what} crosses a layer line:\n" + string.Join("\n", result.FailingTypes?.Select(t => t.FullName) ?? []));
}
