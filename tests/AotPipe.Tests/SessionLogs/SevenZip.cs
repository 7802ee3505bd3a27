using System.Diagnostics;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

/// <summary>Runs Debian's <c>7zz</c> (package <c>7zip</c>) to check archives independently of SharpZipLib.</summary>
internal static class SevenZip
{
    private static readonly Lazy<string?> s_path = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(directory => Path.Combine(directory, "7zz"))
            .FirstOrDefault(File.Exists));

    /// <summary>Skips the test when 7zz is missing, or fails it when CI=true.</summary>
    public static string RequirePath()
    {
        if (s_path.Value is { } path)
        {
            return path;
        }

        const string Message = "7zz is not installed (apt-get install -y 7zip)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(Message);
        }

        Assert.Skip(Message);
        return string.Empty;
    }

    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(RequirePath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
