using Linli.Application.Identity;
using Linli.Application.Live;
using Linli.Domain.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Linli.Web.Features.Live;

/// <summary>
/// Live case updates over SignalR. A connection joins the groups of its scope node (and a resident their household), and a
/// change is sent to the groups of every node above the case, so each person hears about the cases they can see.
/// </summary>
[Authorize]
public sealed class CasesHub(HouseholdCheck households) : Hub
{
    public const string Path = "/hubs/cases";

    public override async Task OnConnectedAsync()
    {
        // The connection's own user: under long polling the request accessor does not hold it (see CurrentUser).
        var user = new CurrentUser(Context.User);
        await user.ConfirmHouseholdAsync(households, Context.ConnectionAborted);
        if (user.Can(Permission.ReadCases) && CaseFeed.GroupOf(user.Scope) is { } group)
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
        await base.OnConnectedAsync();
    }
}

/// <summary>
/// The live operations hub. Staff join their scope node's group; everyone joins their own user group (personal
/// notifications) and a resident their household's (to see that their SOS call was taken).
/// </summary>
[Authorize]
public sealed class OpsHub(HouseholdCheck households) : Hub
{
    public const string Path = "/hubs/ops";

    public override async Task OnConnectedAsync()
    {
        var user = new CurrentUser(Context.User);
        await user.ConfirmHouseholdAsync(households, Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, LiveHubs.UserGroup(user.Id));
        if ((user.Can(Permission.HandleAlarms) || user.Can(Permission.CallForHelp)) && CaseFeed.GroupOf(user.Scope) is { } group)
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
        await base.OnConnectedAsync();
    }
}

