namespace Linli.Domain.Common;

/// <summary>China Standard Time: storage is UTC, but people's days, ages and a gate's opening hours are wall-clock time in China.</summary>
public static class ChinaTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
}
