using System.Buffers;
using System.IO.Pipelines;
using AotPipe.Diagnostics;
using AotPipe.Errors;
using AotPipe.Streaming;
using AotPipe.Upstream;
using AotPipe.Upstream.Raw;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Endpoints;

/// <summary>Steps shared by every route that answers from an upstream response.</summary>
public static class UpstreamForwarding
{
    /// <summary>Largest upstream error body read before answering (error bodies are one short JSON line).</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Read buffer size for the upstream body: one pooled 4 KB array, rented only once data has arrived (zero-byte
    /// reads), so a waiting stream holds none. 16 KB held per waiting stream was ~16 KB of RSS per concurrent stream for
    /// no CPU gain (perf-reports/relay.md); an event larger than this simply spans two reads.</summary>
    public const int UpstreamReadBufferBytes = 4 * 1024;

    /// <summary>Sends the request upstream and returns a successful response (caller disposes), or answers the client
    /// with the error (no response, or an upstream 4xx/5xx) and returns null.</summary>
    public static async Task<HttpResponseMessage?> SendAsync(HttpContext context, ReadOnlyMemory<byte> payload, bool stream, RelayTimer timer, ILogger logger)
    {
        var attempt = await context.RequestServices.GetRequiredService<UpstreamSender>().SendAsync(payload, stream, timer);
        if (attempt.Response is not { } upstream)
        {
            if (attempt.Error != GatewayError.None)
            {
                await GatewayErrorReporter.WriteAsync(context, attempt.Error, logger, exception: attempt.Exception);
            }

            return null;
        }

        if (!upstream.IsSuccessStatusCode)
        {
            using (upstream)
            {
                await WriteUpstreamErrorAsync(context, upstream, logger);
            }

            return null;
        }

        return upstream;
    }

    /// <summary>Answers an upstream 4xx/5xx before streaming: same status, OpenAI shape, <c>Retry-After</c> kept.</summary>
    public static async Task WriteUpstreamErrorAsync(HttpContext context, HttpResponseMessage upstream, ILogger logger)
    {
        var status = (int)upstream.StatusCode;
        var body = await ReadBoundedAsync(upstream, context.RequestAborted);
        var parsed = UpstreamErrorBody.Parse(body);
        GatewayMetrics.RecordUpstreamError(GatewayMetrics.StatusClass(status));
        GatewayLog.RequestFailed(logger, GatewayError.UpstreamStatus, status, parsed.CodeText ?? parsed.CodeNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", null);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (upstream.Headers.TryGetValues("Retry-After", out var retryAfter))
        {
            response.Headers.RetryAfter = retryAfter.FirstOrDefault();
        }

        OpenAiErrorWriter.WriteUpstream(response.BodyWriter, parsed, status);
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Starts an SSE response and relays the upstream body through <paramref name="sink"/>.</summary>
    /// <param name="context">The request.</param>
    /// <param name="upstream">The upstream response (headers received).</param>
    /// <param name="sink">Forwards or translates each event.</param>
    /// <param name="timer">Cancellation and idle timeout.</param>
    /// <param name="logger">Where the outcome is logged.</param>
    /// <param name="keepAliveTime">When set, <c>: keep-alive</c> comments are sent during upstream silence.</param>
    public static async Task<RelayOutcome> StreamAsync(HttpContext context, HttpResponseMessage upstream, StreamEventSink sink, RelayTimer timer, ILogger logger, TimeProvider? keepAliveTime = null)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(timer.ClientToken);

        // The raw client's body is already a reader over the socket; HttpClient's body needs a stream adapter.
        var reader = upstream.Content is RawBodyContent raw
            ? (PipeReader)raw.Reader
            : PipeReader.Create(await upstream.Content.ReadAsStreamAsync(timer.Token), new StreamPipeReaderOptions(
                pool: MemoryPool<byte>.Shared, bufferSize: UpstreamReadBufferBytes, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        using var framer = new SseFramer();
        using var keepAlive = keepAliveTime is null ? null : new KeepAliveTicker(response.BodyWriter, sink, KeepAliveTicker.DefaultInterval, keepAliveTime);
        RelayOutcome outcome;
        var responseOver = false;
        try
        {
            outcome = await SseRelayLoop.RunAsync(reader, response.BodyWriter, sink, framer, timer, keepAlive, SseEventLogger.CreateIfEnabled(logger));
            responseOver = sink.SawTerminal && outcome.Error == GatewayError.None;
        }
        finally
        {
            keepAlive?.Dispose();
            if (responseOver && reader is RawBodyReader rawReader)
            {
                // The chat relay stops at the terminal event; the end of the body is read in the background so that
                // the upstream connection is reused.
                rawReader.CompleteAfterTerminal();
            }
            else
            {
                await reader.CompleteAsync();
            }
        }

        if (outcome.ClientGone)
        {
            GatewayLog.ClientGone(logger, outcome.Events);
        }
        else if (outcome.Error != GatewayError.None)
        {
            GatewayLog.StreamFailed(logger, outcome.Error, outcome.Events, outcome.Exception);
            GatewayMetrics.RecordUpstreamError(GatewayMetrics.InBandClass(outcome.Error));
        }

        return outcome;
    }

    /// <summary>Copies a non-streaming upstream body to the client as it arrives.</summary>
    public static async Task CopyJsonAsync(HttpContext context, HttpResponseMessage upstream, RelayTimer timer)
    {
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        response.ContentType = upstream.Content.Headers.ContentType?.ToString() ?? "application/json";
        await using var body = await upstream.Content.ReadAsStreamAsync(timer.Token);
        await body.CopyToAsync(response.Body, timer.Token);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage upstream, CancellationToken cancellationToken)
    {
        await using var stream = await upstream.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxErrorBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return buffer.AsSpan(0, total).ToArray();
    }
}
