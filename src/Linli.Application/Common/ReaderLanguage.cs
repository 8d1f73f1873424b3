using System.Globalization;

namespace Linli.Application.Common;

/// <summary>
/// The language the caller reads: the request's UI culture, which the web host sets from the chosen language. Data kept
/// in two languages (a case category's name) is given in it; background work reads Chinese, the default.
/// </summary>
public static class ReaderLanguage
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
}
