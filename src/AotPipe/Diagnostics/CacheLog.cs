using Microsoft.Extensions.Logging;

namespace AotPipe.Diagnostics;

/// <summary>Log events of the optional artifact read cache (event ids 4200-4299). Never logs keys, values or passwords.</summary>
internal static partial class CacheLog
{
    [LoggerMessage(4200, LogLevel.Warning, "Artifact read cache unavailable ({Errors} errors so far, last: {Error}); reading from the database")]
    public static partial void Degraded(ILogger logger, long errors, string error);

    [LoggerMessage(4201, LogLevel.Information, "Artifact read cache enabled on {Endpoints} (TTL {TtlSeconds} s)")]
    public static partial void Enabled(ILogger logger, string endpoints, long ttlSeconds);
}
