using Microsoft.AspNetCore.Components;

namespace Linli.Web.Components;

/// <summary>
/// A page that reads what it shows before it shows it. <see cref="Loaded"/> turns true once the page's initialization and
/// parameters are done, so its markup can tell "still reading" from "nothing there": static rendering renders once while
/// an asynchronous read is under way (that render is not sent), and a page that showed <c>NotInArea</c> then would answer
/// 404 for something that exists (on PostgreSQL, whose reads are truly asynchronous).
/// </summary>
public abstract class LoadedPage : ComponentBase
{
    protected bool Loaded { get; private set; }

    public override async Task SetParametersAsync(ParameterView parameters)
    {
        await base.SetParametersAsync(parameters);
        if (Loaded) return;
        Loaded = true;
        StateHasChanged();
    }
}
