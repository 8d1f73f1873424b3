namespace Linli.Web;

/// <summary>Marker for the UI strings in Resources/Strings.resx (Chinese, the default) and Strings.en.resx (English).</summary>
public sealed class Strings;
