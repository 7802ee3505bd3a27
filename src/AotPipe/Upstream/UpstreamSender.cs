using System.Net;
using AotPipe.Diagnostics;
using AotPipe.Errors;
using AotPipe.Streaming;
using Microsoft.Extensions.Logging;

namespace AotPipe.Upstream;

/// <summary>Sends a Responses request with bounded retries before the first byte (issue: front door, retries).</summary>
/// <remarks>Only transport failures and 502/503 are retried, and only before any response byte reached the client:
/// nothing that could duplicate visible output is ever retried. 429 passes through with its <c>Retry-After</c>.</remarks>
public sealed class UpstreamSender
{
    /// <summary>Extra attempts after the first.</summary>
    public const int MaxRetries = 2;

    /// <summary>Base of the jittered exponential backoff.</summary>
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>No retry starts once this much time has passed since the first attempt.</summary>
    public static readonly TimeSpan RetryBudget = TimeSpan.FromSeconds(3);

    private readonly OpenRouterClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the sender.</summary>
    public UpstreamSender(OpenRouterClient client, TimeProvider time, ILogger<UpstreamSender> logger)
    {
        _client = client;
        _time = time;
        _logger = logger;
    }

    /// <summary>Sends <paramref name="body"/>; the idle timer bounds the wait for response headers.</summary>
    public async Task<UpstreamAttempt> SendAsync(ReadOnlyMemory<byte> body, bool stream, RelayTimer timer)
    {
        var started = _time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                timer.ArmIdle();
                response = await _client.SendResponsesAsync(body, stream, timer.Token);
                timer.DisarmIdle();
            }
            catch (OperationCanceledException ex)
            {
                var cause = timer.Classify();
                return new UpstreamAttempt(null, cause == GatewayError.UpstreamIdleTimeout ? GatewayError.UpstreamTimeout : cause, ex);
            }
            catch (HttpRequestException ex)
            {
                if (await ShouldRetryAsync(attempt, started, "transport: " + ex.HttpRequestError, timer))
                {
                    continue;
                }

                return new UpstreamAttempt(null, GatewayError.UpstreamUnreachable, ex);
            }

            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
                && await ShouldRetryAsync(attempt, started, "HTTP " + (int)response.StatusCode, timer, response))
            {
                continue;
            }

            return new UpstreamAttempt(response, GatewayError.None);
        }
    }

    private async Task<bool> ShouldRetryAsync(int attempt, long started, string reason, RelayTimer timer, HttpResponseMessage? response = null)
    {
        if (attempt >= MaxRetries || timer.Token.IsCancellationRequested)
        {
            return false;
        }

        var delay = BaseDelay * (1 << attempt) * (0.5 + Random.Shared.NextDouble());
        if (response?.Headers.RetryAfter?.Delta is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter;
        }

        if (_time.GetElapsedTime(started) + delay > RetryBudget)
        {
            return false;
        }

        response?.Dispose();
        GatewayLog.UpstreamRetry(_logger, attempt + 1, reason, (long)delay.TotalMilliseconds);
        try
        {
            await Task.Delay(delay, _time, timer.Token);
        }
        catch (OperationCanceledException)
        {
            // The next attempt observes the same token at once and reports the real cause.
        }

        return true;
    }
}
