using System.Diagnostics.CodeAnalysis;

namespace AotPipe.Persistence;

/// <summary>
/// Feature switch for the PostgreSQL artifact store. The lean edition (<c>-p:AotPipeEdition=lean</c>) publishes with it
/// off, so the trimmer drops Npgsql (about 3.4 MB of the image, perf-reports/footprint.md) and only the embedded store
/// remains.
/// </summary>
internal static class PostgreSqlSupport
{
    /// <summary>The runtime configuration name the MSBuild edition property sets.</summary>
    public const string SwitchName = "AotPipe.Persistence.PostgreSqlSupport.IsSupported";

    /// <summary>Why <c>DATABASE_URL</c> is refused when the switch is off; names the setting and the way out.</summary>
    public const string UnsupportedMessage =
        "this build is the lean edition, published without PostgreSQL support; unset DATABASE_URL to use the embedded store, "
        + "or run the full edition (./build.sh publish, or the default container image).";

    /// <summary>Whether this build contains the PostgreSQL store; a constant after trimming.</summary>
    [FeatureSwitchDefinition(SwitchName)]
    public static bool IsSupported => !AppContext.TryGetSwitch(SwitchName, out var enabled) || enabled;
}
