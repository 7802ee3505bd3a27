using System.IO.Pipelines;
using AotPipe.Errors;

namespace AotPipe.Streaming;

/// <summary>The streaming loop: upstream <see cref="PipeReader"/> → <see cref="SseFramer"/> → sink → client writer.</summary>
/// <remarks>
/// The PlatformBenchmarks shape: <c>ReadAsync</c>, a synchronous span parser over everything buffered, one
/// <c>AdvanceTo(consumed, examined)</c>, then one <c>FlushAsync</c> per batch of events, so each event reaches the
/// client as soon as the read that completed it returns. Nothing here blocks: the only awaits are the pipe read, the
/// client flush and the sink's terminal step.
/// </remarks>
public static class SseRelayLoop
{
    /// <summary>Relays until the upstream ends, fails, or the client leaves.</summary>
    /// <param name="upstream">Reader over the upstream body.</param>
    /// <param name="client">The response body writer.</param>
    /// <param name="sink">Forwards or translates each event.</param>
    /// <param name="framer">Reusable framer (reset by the caller).</param>
    /// <param name="timer">Arms the idle timeout and tells which token fired.</param>
    /// <param name="keepAlive">Speaks during upstream silence (chat route), or null.</param>
    /// <param name="eventLogger">Logs non-delta events at Debug; null (the usual case) when Debug is off.</param>
    public static async ValueTask<RelayOutcome> RunAsync(
        PipeReader upstream,
        PipeWriter client,
        StreamEventSink sink,
        SseFramer framer,
        RelayTimer timer,
        KeepAliveTicker? keepAlive = null,
        SseEventLogger? eventLogger = null)
    {
        var token = timer.Token;
        keepAlive?.Rearm();
        while (true)
        {
            ReadResult result;
            try
            {
                timer.ArmIdle();
                result = await upstream.ReadAsync(token);
                timer.DisarmIdle();
            }
            catch (OperationCanceledException ex)
            {
                return await FailQuietlyAsync(client, sink, timer.Classify(), ex, keepAlive);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or HttpIOException)
            {
                return await FailQuietlyAsync(client, sink, timer.IsClientGone ? GatewayError.None : GatewayError.UpstreamReset, ex, keepAlive);
            }

            keepAlive?.Rearm();
            if (keepAlive is not null)
            {
                await keepAlive.WriteLock.WaitAsync();
            }

            try
            {
                var buffer = result.Buffer;
                var remaining = buffer;
                var wrote = false;
                SseReadStatus status;
                while ((status = framer.TryRead(remaining, out var sseEvent)) == SseReadStatus.Event)
                {
                    sink.EventCount++;
                    eventLogger?.OnEvent(sseEvent);
                    var terminal = sink.OnEvent(sseEvent, client);
                    remaining = remaining.Slice(sseEvent.Raw.End);
                    wrote = true;
                    if (terminal)
                    {
                        await sink.OnTerminalAsync(client, token);
                        if (sink.StopsAtTerminal)
                        {
                            upstream.AdvanceTo(remaining.Start, remaining.Start);
                            var done = await client.FlushAsync(timer.ClientToken);
                            return new RelayOutcome(GatewayError.None, done.IsCanceled || timer.IsClientGone, sink.EventCount);
                        }
                    }
                }

                if (result.IsCompleted && !remaining.IsEmpty)
                {
                    sink.OnTrailingBytes(remaining, client);
                    remaining = remaining.Slice(remaining.End);
                    wrote = true;
                }

                upstream.AdvanceTo(remaining.Start, buffer.End);
                if (wrote)
                {
                    var flush = await client.FlushAsync(timer.ClientToken);
                    if (flush.IsCanceled || flush.IsCompleted)
                    {
                        return new RelayOutcome(GatewayError.None, ClientGone: true, sink.EventCount);
                    }
                }

                if (status == SseReadStatus.EventTooLarge)
                {
                    return await FailAsync(client, sink, GatewayError.UpstreamEventTooLarge, null);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return sink.SawTerminal
                        ? new RelayOutcome(GatewayError.None, ClientGone: false, sink.EventCount)
                        : await FailAsync(client, sink, GatewayError.UpstreamTruncated, null);
                }
            }
            finally
            {
                keepAlive?.WriteLock.Release();
            }
        }
    }

    /// <summary>Stops the keep-alive timer and waits out a tick in progress before writing the failure.</summary>
    private static async ValueTask<RelayOutcome> FailQuietlyAsync(PipeWriter client, StreamEventSink sink, GatewayError error, Exception? exception, KeepAliveTicker? keepAlive)
    {
        if (keepAlive is null)
        {
            return await FailAsync(client, sink, error, exception);
        }

        keepAlive.Dispose();
        await keepAlive.WriteLock.WaitAsync();
        try
        {
            return await FailAsync(client, sink, error, exception);
        }
        finally
        {
            keepAlive.WriteLock.Release();
        }
    }

    private static async ValueTask<RelayOutcome> FailAsync(PipeWriter client, StreamEventSink sink, GatewayError error, Exception? exception)
    {
        if (error == GatewayError.None)
        {
            // The client is gone; there is nobody to tell.
            return new RelayOutcome(GatewayError.None, ClientGone: true, sink.EventCount, exception);
        }

        var (code, message) = InBandError.Describe(error);
        sink.WriteFailure(code, message, client);
        try
        {
            await client.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            return new RelayOutcome(error, ClientGone: true, sink.EventCount, exception);
        }

        return new RelayOutcome(error, ClientGone: false, sink.EventCount, exception);
    }
}
