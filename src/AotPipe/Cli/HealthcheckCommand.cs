namespace AotPipe.Cli;

/// <summary><c>aotpipe healthcheck [URL]</c>: a container HEALTHCHECK that needs no curl.</summary>
public static class HealthcheckCommand
{
    /// <summary>How long the probe waits before calling the gateway unhealthy.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Whether <paramref name="baseUrl"/> is an absolute http or https URL the probe can call; anything else is a
    /// usage error (exit 2), not an unhealthy gateway (exit 1).</summary>
    public static bool IsUsableUrl(string baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);

    /// <summary>GETs <c>{baseUrl}/healthz</c>; 0 when it answers 200, 1 otherwise.</summary>
    public static async Task<int> RunAsync(string baseUrl, TextWriter stdout)
    {
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(new Uri(baseUrl.TrimEnd('/') + "/healthz"));
            await stdout.WriteLineAsync(response.IsSuccessStatusCode ? "healthy" : $"unhealthy: HTTP {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? GatewayCommandLine.ExitOk : GatewayCommandLine.ExitNegative;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await stdout.WriteLineAsync("unhealthy: " + ex.GetType().Name);
            return GatewayCommandLine.ExitNegative;
        }
    }
}
