using System.Diagnostics;
using System.Globalization;

namespace Linli.Bench;

/// <summary>
/// Where the machine's CPU went over a measured window, from /proc: the app process, every PostgreSQL process, this
/// bench process (the senders) and the whole machine, in cores. On a 2-core machine shared by all of them it says whether
/// a figure is bounded by the code or by the machine.
/// </summary>
public sealed class CpuShare
{
    const double TicksPerSecond = 100; // USER_HZ on Linux
    readonly int? _appPid;
    readonly long _start = Stopwatch.GetTimestamp();
    readonly (double App, double Postgres, double Bench, double Machine) _before;

    CpuShare(int? appPid)
    {
        _appPid = appPid;
        _before = Read();
    }

    public static CpuShare Start(int? appPid) => new(appPid);

    /// <summary>"app 0.9, PostgreSQL 0.6, senders 0.4 of 2.0 cores busy (machine 1.9)", over the window so far.</summary>
    public string Describe()
    {
        var after = Read();
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        string Cores(double a, double b) => ((a - b) / TicksPerSecond / seconds).ToString("0.00", CultureInfo.InvariantCulture);
        var app = _appPid is null ? "" : $"app {Cores(after.App, _before.App)}, ";
        return $"CPU in cores: {app}PostgreSQL {Cores(after.Postgres, _before.Postgres)}, senders {Cores(after.Bench, _before.Bench)}; "
            + $"machine {Cores(after.Machine, _before.Machine)} of {Environment.ProcessorCount} busy";
    }

    (double App, double Postgres, double Bench, double Machine) Read()
    {
        if (!OperatingSystem.IsLinux()) return default;
        double postgres = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var stat = ProcessTicks(pid, out var name);
            if (name == "postgres") postgres += stat;
        }
        return (_appPid is { } p ? ProcessTicks(p, out _) : 0, postgres, ProcessTicks(Environment.ProcessId, out _), MachineBusyTicks());
    }

    /// <summary>utime + stime of a process (its own threads), 0 if it is gone.</summary>
    static double ProcessTicks(int pid, out string name)
    {
        name = "";
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var open = text.IndexOf('(', StringComparison.Ordinal);
            var close = text.LastIndexOf(')');
            name = text[(open + 1)..close];
            var fields = text[(close + 2)..].Split(' ');
            // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
            return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return 0;
        }
    }

    static double MachineBusyTicks()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
        var values = cpu.Skip(1).Take(8).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return values.Sum() - values[3] - values[4];
    }
}
