using Xunit;

namespace AotPipe.TestKit;

/// <summary>Missing test prerequisites skip locally but fail under CI (<c>CI=true</c>), so CI never passes by skipping.</summary>
public static class Prerequisite
{
    /// <summary>Whether this run is CI.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (locally) or fails (CI) unless <paramref name="available"/>.</summary>
    public static void Require(bool available, string what)
    {
        if (available)
        {
            return;
        }

        if (IsCi)
        {
            Assert.Fail($"Prerequisite missing under CI: {what}");
        }

        Assert.Skip($"Prerequisite missing: {what}");
    }
}
