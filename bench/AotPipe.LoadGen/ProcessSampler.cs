using System.Globalization;

namespace AotPipe.LoadGen;

/// <summary>Reads CPU time and resident memory of a process and its direct children from /proc.</summary>
/// <remarks>nginx relays in worker processes, so children count; the process list is taken once at construction.</remarks>
internal sealed class ProcessSampler
{
    /// <summary>Clock ticks per second of /proc/&lt;pid&gt;/stat times (USER_HZ; 100 on Linux x86-64).</summary>
    private const double TicksPerSecond = 100.0;

    private readonly int[] _pids;

    /// <summary>Creates a sampler for <paramref name="pid"/> and the children it has now.</summary>
    public ProcessSampler(int pid)
    {
        var pids = new List<int> { pid };
        if (pid > 0)
        {
            // Scans /proc for processes whose parent is pid: /proc/<pid>/task/*/children can miss freshly forked workers.
            foreach (var dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate) || candidate == pid)
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                    {
                        pids.Add(candidate);
                    }
                }
                catch (IOException)
                {
                    // The process ended meanwhile.
                }
            }
        }

        _pids = [.. pids.Distinct()];
    }

    /// <summary>The sampled process ids.</summary>
    public IReadOnlyList<int> Pids => _pids;

    /// <summary>User plus system CPU seconds of all sampled processes.</summary>
    public double CpuSeconds()
    {
        long ticks = 0;
        foreach (var pid in _pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

                // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // Gone: counts as nothing more.
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>Resident set size in KiB summed over the sampled processes.</summary>
    public long RssKiB()
    {
        long total = 0;
        foreach (var pid in _pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // Gone.
            }
        }

        return total;
    }
}
