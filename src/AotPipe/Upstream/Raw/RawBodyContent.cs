using System.IO.Pipelines;
using System.Net;

namespace AotPipe.Upstream.Raw;

/// <summary>The body of a <see cref="RawHttpClient"/> response: the relay takes <see cref="Reader"/> directly; every
/// other consumer (error bodies, a JSON answer) reads it as an ordinary <see cref="HttpContent"/>. Disposing completes
/// the reader, which returns the connection to the pool only when the body was read to its end.</summary>
internal sealed class RawBodyContent : HttpContent
{
    /// <summary>Wraps <paramref name="reader"/>.</summary>
    public RawBodyContent(RawBodyReader reader) => Reader = reader;

    /// <summary>The body, decoded, as the relay reads it.</summary>
    public RawBodyReader Reader { get; }

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) => Reader.CopyToAsync(stream, cancellationToken);

    /// <inheritdoc />
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(Reader.AsStream(leaveOpen: true));

    /// <inheritdoc />
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Reader.Complete();
        }

        base.Dispose(disposing);
    }
}
