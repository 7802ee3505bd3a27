using AotPipe.Artifacts;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AotPipe.Hosting;

/// <summary>Loud start-up warnings for configurations that run but weaken a guarantee.</summary>
internal static class StartupWarnings
{
    /// <summary>Logs one warning per weakened guarantee.</summary>
    public static void Log(GatewaySettings settings, ILogger logger)
    {
        if (string.IsNullOrEmpty(settings.OpenRouterApiKey))
        {
            GatewayLog.UpstreamKeyMissing(logger);
        }

        if (settings.ArtifactKey is null)
        {
            GatewayLog.ArtifactKeyMissing(logger);
        }
        else if (ArtifactPayloadCodec.IsWeakKey(settings.ArtifactKey))
        {
            GatewayLog.ArtifactKeyWeak(logger);
        }

        if (!settings.EnableSsrfProtection)
        {
            GatewayLog.SsrfProtectionOff(logger);
        }

        // A body cap below the base64 cap would reject attachments the base64 limit allows (DESIGN.md section 3).
        if (settings.MaxRequestBodyBytes < settings.Base64MaxBytes * 4 / 3)
        {
            GatewayLog.BodyCapBelowBase64Cap(logger);
        }
    }
}
