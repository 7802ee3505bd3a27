using System.IO.Pipelines;
using AotPipe.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AotPipe.Hosting;

/// <summary>
/// Wraps the response body feature to count bytes and note the first body byte (time to first event) and whether the
/// response is an SSE stream (<c>aotpipe_streams_in_flight</c>). Allocated once per request, nothing per write.
/// </summary>
internal sealed class CountingResponseBody : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly HttpContext _context;
    private readonly RequestTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly CountingPipeWriter _writer;
    private Stream? _stream;

    /// <summary>Wraps <paramref name="inner"/> for <paramref name="context"/>.</summary>
    public CountingResponseBody(IHttpResponseBodyFeature inner, HttpContext context, RequestTelemetry telemetry, TimeProvider time)
    {
        _inner = inner;
        _context = context;
        _telemetry = telemetry;
        _time = time;
        _writer = new CountingPipeWriter(inner.Writer, OnWritten);
    }

    /// <inheritdoc />
    public Stream Stream => _stream ??= _writer.AsStream(leaveOpen: true);

    /// <inheritdoc />
    public PipeWriter Writer => _writer;

    /// <inheritdoc />
    public Task CompleteAsync() => _inner.CompleteAsync();

    /// <inheritdoc />
    public void DisableBuffering() => _inner.DisableBuffering();

    /// <inheritdoc />
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    private void OnWritten(int count)
    {
        if (!_telemetry.AddBytes(count))
        {
            return;
        }

        _telemetry.MarkFirstByte(_time.GetTimestamp());
        if (_context.Response.ContentType is { } type && type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            _telemetry.IsStream = true;
            GatewayMetrics.StreamsInFlight.Add(1);
        }
    }
}
