using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace AotPipe.Upstream.Raw;

/// <summary>A lean HTTP/1.1 client for the one streaming POST the relay makes: the request is written in one send and
/// the response body is read straight from the socket (<see cref="RawBodyReader"/>), below HttpClient's stream layers,
/// which cost ~2,300 instructions (perf-reports/relay.md, "Raw HTTP/1.1 upstream body") and ~300 B (PERFORMANCE.md) per
/// relayed event.</summary>
/// <remarks>
/// Connections are pooled (LIFO) and reused while idle less than <see cref="IdleTimeout"/> and younger than
/// <see cref="ConnectionLifetime"/>, the same bounds as the HttpClient handler. A request that fails on a reused
/// connection before any response byte is retried once on another connection, as HttpClient does, because the server
/// may have closed an idle connection. Only built by <see cref="TryCreate"/>, which declines whenever HttpClient must
/// serve instead (a proxy, a scheme other than http/https, header values that are not plain ASCII).
/// </remarks>
internal sealed class RawHttpClient : IDisposable
{
    /// <summary>How long an unused connection stays pooled; the HttpClient path's <c>PooledConnectionIdleTimeout</c> uses it too.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a connection is reused at most; the HttpClient path's <c>PooledConnectionLifetime</c> uses it too.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Most idle connections kept; more are closed when returned.</summary>
    public const int MaxIdleConnections = 256;

    private static readonly string[] s_proxyVariables = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

    private readonly ConcurrentStack<RawHttpConnection> _idle = new();
    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private readonly byte[] _requestHead;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeProvider _time;
    private readonly Lock _scavengerLock = new();
    private ITimer? _scavenger;
    private volatile bool _disposed;

    private RawHttpClient(Uri uri, byte[] requestHead, TimeSpan connectTimeout, TimeProvider time)
    {
        _host = uri.IdnHost;
        _port = uri.Port;
        _tls = uri.Scheme == Uri.UriSchemeHttps;
        _requestHead = requestHead;
        _connectTimeout = connectTimeout;
        _time = time;
    }

    /// <summary>Builds the client for streaming POSTs to <paramref name="uri"/>, or returns null when HttpClient must
    /// serve: a proxy variable is set, the scheme is not http/https, or a header value is not printable ASCII.</summary>
    /// <param name="uri">The absolute upstream URL.</param>
    /// <param name="headers">Request header fields sent as they are (Authorization, title, referer).</param>
    /// <param name="connectTimeout">Bound on DNS + TCP connect + TLS handshake.</param>
    /// <param name="environment">Reads an environment variable (the proxy check).</param>
    /// <param name="time">Clock for the idle and lifetime bounds.</param>
    public static RawHttpClient? TryCreate(Uri uri, IEnumerable<KeyValuePair<string, string>> headers, TimeSpan connectTimeout, Func<string, string?> environment, TimeProvider time)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        foreach (var name in s_proxyVariables)
        {
            if (!string.IsNullOrEmpty(environment(name)))
            {
                return null;
            }
        }

        var head = new StringBuilder();
        head.Append("POST ").Append(uri.PathAndQuery).Append(" HTTP/1.1\r\nHost: ").Append(uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("Accept: text/event-stream\r\n");
        foreach (var (name, value) in headers)
        {
            if (!IsPrintableAscii(name) || !IsPrintableAscii(value))
            {
                return null;
            }

            head.Append(name).Append(": ").Append(value.Trim()).Append("\r\n");
        }

        head.Append("Content-Type: application/json\r\nContent-Length: ");
        return new RawHttpClient(uri, Encoding.ASCII.GetBytes(head.ToString()), connectTimeout, time);
    }

    /// <summary>Sends the JSON <paramref name="body"/> and returns the response once its head arrived; its content is a
    /// <see cref="RawBodyContent"/> whose reader streams the body. Failures throw as HttpClient would:
    /// <see cref="HttpRequestException"/> for transport and protocol errors, <see cref="TaskCanceledException"/> for the
    /// connect timeout, <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    public async Task<HttpResponseMessage> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var request = ArrayPool<byte>.Shared.Rent(_requestHead.Length + 24 + body.Length);
        try
        {
            var length = BuildRequest(request, body.Span);
            while (true)
            {
                var connection = RentIdle();
                var reused = connection is not null;
                connection ??= await ConnectAsync(cancellationToken);
                var received = new StrongBox<bool>();
                try
                {
                    var (head, reader) = await connection.SendAsync(request.AsMemory(0, length), received, cancellationToken);
                    return ToResponse(head, reader);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    connection.Dispose();
                    if (reused && !received.Value && ex is IOException or SocketException or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
                    {
                        continue;
                    }

                    throw ex is HttpRequestException ? ex : new HttpRequestException(HttpRequestError.ConnectionError, "The upstream connection failed.", ex);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
        }
    }

    /// <summary>Puts a connection whose response was read to the end back in the pool.</summary>
    internal void Return(RawHttpConnection connection)
    {
        if (_disposed || _idle.Count >= MaxIdleConnections)
        {
            connection.Dispose();
            return;
        }

        connection.IdleSince = _time.GetTimestamp();
        _idle.Push(connection);
        if (_scavenger is null)
        {
            lock (_scavengerLock)
            {
                // Idle connections are closed even when no request comes to find them expired.
                _scavenger ??= _time.CreateTimer(static state => ((RawHttpClient)state!).Scavenge(), this, IdleTimeout, IdleTimeout);
            }
        }

        if (_disposed && _idle.TryPop(out var late))
        {
            late.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        lock (_scavengerLock)
        {
            _scavenger?.Dispose();
        }

        while (_idle.TryPop(out var connection))
        {
            connection.Dispose();
        }
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static HttpResponseMessage ToResponse(RawResponseHead head, RawBodyReader reader)
    {
        var content = new RawBodyContent(reader);
        var response = new HttpResponseMessage((HttpStatusCode)head.StatusCode) { Version = head.Http10 ? HttpVersion.Version10 : HttpVersion.Version11, Content = content };
        foreach (var (name, value) in head.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    private int BuildRequest(byte[] request, ReadOnlySpan<byte> body)
    {
        _requestHead.CopyTo(request, 0);
        var at = _requestHead.Length;
        Utf8Formatter.TryFormat(body.Length, request.AsSpan(at), out var written);
        at += written;
        "\r\n\r\n"u8.CopyTo(request.AsSpan(at));
        at += 4;
        body.CopyTo(request.AsSpan(at));
        return at + body.Length;
    }

    /// <summary>Closes the pooled connections that are past their idle time or lifetime, keeping the others.</summary>
    private void Scavenge()
    {
        var keep = new List<RawHttpConnection>();
        var now = _time.GetTimestamp();
        while (_idle.TryPop(out var connection))
        {
            if (IsFresh(connection, now))
            {
                keep.Add(connection);
            }
            else
            {
                connection.Dispose();
            }
        }

        // Oldest first, so the most recently used is on top again.
        for (var i = keep.Count - 1; i >= 0; i--)
        {
            _idle.Push(keep[i]);
        }
    }

    private bool IsFresh(RawHttpConnection connection, long now) =>
        _time.GetElapsedTime(connection.IdleSince, now) < IdleTimeout && _time.GetElapsedTime(connection.CreatedAt, now) < ConnectionLifetime;

    private RawHttpConnection? RentIdle()
    {
        while (_idle.TryPop(out var connection))
        {
            var now = _time.GetTimestamp();
            if (IsFresh(connection, now) && !connection.Socket.Poll(0, SelectMode.SelectRead))
            {
                // Readable while idle means the server closed it (or sent bytes no request asked for): not reusable.
                return connection;
            }

            connection.Dispose();
        }

        return null;
    }

    private async Task<RawHttpConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(_host, _port), timeout.Token);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (_tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _host,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, timeout.Token);
            }

            return new RawHttpConnection(this, socket, stream, _time.GetTimestamp());
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Close(socket, stream);
            throw new TaskCanceledException("The upstream connect timed out.", new TimeoutException(ex.Message, ex));
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            Close(socket, stream);
            throw new HttpRequestException(HttpRequestError.ConnectionError, "The upstream connection failed: " + ex.Message, ex);
        }
        catch
        {
            Close(socket, stream);
            throw;
        }
    }

    private static void Close(Socket socket, Stream? stream)
    {
        stream?.Dispose();
        socket.Dispose();
    }
}
