using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace AotPipe.Upstream.Raw;

/// <summary>One HTTP/1.1 connection to the upstream: a socket, the stream over it (TLS or not), and its pool slot.</summary>
internal sealed class RawHttpConnection : IRawBodyOwner, IDisposable
{
    private readonly RawHttpClient _pool;
    private int _released;

    /// <summary>Wraps a connected socket and its stream.</summary>
    public RawHttpConnection(RawHttpClient pool, Socket socket, Stream stream, long createdAt)
    {
        _pool = pool;
        Socket = socket;
        Stream = stream;
        CreatedAt = createdAt;
    }

    /// <summary>The socket (polled for a server close before reuse).</summary>
    public Socket Socket { get; }

    /// <summary>The byte stream requests and responses go over.</summary>
    public Stream Stream { get; }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the connect.</summary>
    public long CreatedAt { get; }

    /// <summary>Timestamp since which the connection waits in the pool.</summary>
    public long IdleSince { get; set; }

    /// <summary>Sends one request and reads the response head. Throws <see cref="HttpRequestException"/> for transport
    /// and protocol failures; <paramref name="received"/> tells whether any response byte arrived first.</summary>
    public async Task<(RawResponseHead Head, RawBodyReader Body)> SendAsync(ReadOnlyMemory<byte> request, StrongBox<bool> received, CancellationToken cancellationToken)
    {
        _released = 0;
        await Stream.WriteAsync(request, cancellationToken);
        await Stream.FlushAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(RawBodyReader.ReadBufferBytes);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await Stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    throw new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection before a complete response head.");
                }

                received.Value = true;
                filled += read;
                while (true)
                {
                    var status = RawResponseHead.TryParse(buffer.AsSpan(0, filled), out var head, out var length);
                    switch (status)
                    {
                        case RawHeadStatus.Incomplete:
                            break;
                        case RawHeadStatus.Complete when head!.StatusCode is >= 100 and < 200:
                            // Interim response (e.g. 100 Continue): drop it, the final head follows.
                            buffer.AsSpan(length, filled - length).CopyTo(buffer);
                            filled -= length;
                            continue;
                        case RawHeadStatus.Complete:
                            return (head, new RawBodyReader(Stream, head.Framing, head.ContentLength, buffer.AsSpan(length, filled - length), head.KeepAlive, this));
                        case RawHeadStatus.TooLarge:
                            throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "The upstream response head exceeds " + RawHttpLimits.MaxResponseHeaderBytes + " bytes.");
                        default:
                            throw new HttpRequestException(HttpRequestError.InvalidResponse, "The upstream sent an invalid or unsupported HTTP/1.1 response head.");
                    }

                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Release(bool reusable)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        if (reusable)
        {
            _pool.Return(this);
        }
        else
        {
            Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stream.Dispose();
        Socket.Dispose();
    }
}
