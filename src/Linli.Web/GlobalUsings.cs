// The use cases of every module: endpoints and pages are thin adapters over them.
global using Linli.Application.Alarms;
global using Linli.Application.Cases;
global using Linli.Application.Common;
global using Linli.Application.Devices;
global using Linli.Application.Exchange;
global using Linli.Application.Identity;
global using Linli.Application.Live;
global using Linli.Application.Notices;
global using Linli.Application.Registry;
global using Linli.Application.Statistics;
global using Linli.Web.Features.Live;
