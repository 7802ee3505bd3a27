using System.Diagnostics.CodeAnalysis;

namespace AotPipe.Persistence;

/// <summary>
/// Feature switch for the Redis read cache. The lean edition (<c>-p:AotPipeEdition=lean</c>) publishes with it off, so
/// the trimmer drops StackExchange.Redis (about 1.1 MB of the image, perf-reports/footprint.md).
/// </summary>
internal static class RedisSupport
{
    /// <summary>The runtime configuration name the MSBuild edition property sets.</summary>
    public const string SwitchName = "AotPipe.Persistence.RedisSupport.IsSupported";

    /// <summary>Why <c>REDIS_URL</c> is refused when the switch is off; names the setting and the way out.</summary>
    public const string UnsupportedMessage =
        "this build is the lean edition, published without the Redis read cache; unset REDIS_URL, "
        + "or run the full edition (./build.sh publish, or the default container image).";

    /// <summary>Whether this build contains the Redis read cache; a constant after trimming.</summary>
    [FeatureSwitchDefinition(SwitchName)]
    public static bool IsSupported => !AppContext.TryGetSwitch(SwitchName, out var enabled) || enabled;
}
