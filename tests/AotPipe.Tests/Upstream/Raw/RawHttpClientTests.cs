using System.Net;
using System.Net.Sockets;
using System.Text;
using AotPipe.Upstream.Raw;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Upstream.Raw;

public sealed class RawHttpClientTests : IDisposable
{
    private const string SseResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata: x\n\n\r\n0\r\n\r\n";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public RawHttpClientTests() => _listener.Start();

    private Uri Url => new("http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port + "/api/v1/responses");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _listener.Dispose();

    private RawHttpClient Create(Func<string, string?>? environment = null, TimeProvider? time = null) =>
        RawHttpClient.TryCreate(Url, [new("Authorization", "Bearer k"), new("X-OpenRouter-Title", "T")], TimeSpan.FromSeconds(10), environment ?? (_ => null), time ?? TimeProvider.System)!;

    /// <summary>Reads one request (head and Content-Length body) from the connection.</summary>
    private static async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var total = 0;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), Token);
            if (n == 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, total);
            }

            total += n;
            var text = Encoding.ASCII.GetString(buffer, 0, total);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lengthAt = text.IndexOf("Content-Length: ", StringComparison.Ordinal) + "Content-Length: ".Length;
                var length = int.Parse(text.AsSpan(lengthAt, text.IndexOf('\r', lengthAt) - lengthAt), System.Globalization.CultureInfo.InvariantCulture);
                if (total >= end + 4 + length)
                {
                    return text;
                }
            }
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response) => await response.Content.ReadAsStringAsync(Token);

    [Fact]
    public async Task TwoRequests_OneConnection_HeadersAsHttpClientSendsThem()
    {
        using var client = Create();
        var server = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptSocketAsync(Token);
            await using var stream = new NetworkStream(socket);
            var requests = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                requests.Add(await ReadRequestAsync(stream));
                await stream.WriteAsync(Encoding.ASCII.GetBytes(SseResponse), Token);
            }

            return requests;
        }, Token);

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.SendAsync("{\"a\":1}"u8.ToArray(), Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("data: x\n\n", await ReadBodyAsync(response));
        }

        var seen = await server;
        Assert.StartsWith("POST /api/v1/responses HTTP/1.1\r\nHost: 127.0.0.1:", seen[0], StringComparison.Ordinal);
        Assert.Contains("\r\nAccept: text/event-stream\r\nAuthorization: Bearer k\r\nX-OpenRouter-Title: T\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}", seen[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PooledConnectionClosedByServer_RequestGoesOnANewOne()
    {
        using var client = Create();
        var server = Task.Run(async () =>
        {
            using (var first = await _listener.AcceptSocketAsync(Token))
            {
                await using var stream = new NetworkStream(first);
                await ReadRequestAsync(stream);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(SseResponse), Token);
            }

            using var second = await _listener.AcceptSocketAsync(Token);
            await using var secondStream = new NetworkStream(second);
            await ReadRequestAsync(secondStream);
            await secondStream.WriteAsync(Encoding.ASCII.GetBytes(SseResponse), Token);
        }, Token);

        using (var response = await client.SendAsync("{}"u8.ToArray(), Token))
        {
            Assert.Equal("data: x\n\n", await ReadBodyAsync(response));
        }

        using (var response = await client.SendAsync("{}"u8.ToArray(), Token))
        {
            Assert.Equal("data: x\n\n", await ReadBodyAsync(response));
        }

        await server;
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    public async Task IdleConnection_ClosedAtTheIdleTimeout_KeptJustBefore(int offsetSeconds, bool closed)
    {
        var time = new FakeTimeProvider();
        using var client = Create(time: time);
        var sending = client.SendAsync("{}"u8.ToArray(), Token);
        using var socket = await _listener.AcceptSocketAsync(Token);
        await using var stream = new NetworkStream(socket);
        await ReadRequestAsync(stream);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(SseResponse), Token);
        using (var response = await sending)
        {
            Assert.Equal("data: x\n\n", await ReadBodyAsync(response));
            response.Dispose();

            time.Advance(RawHttpClient.IdleTimeout + TimeSpan.FromSeconds(offsetSeconds));
            if (closed)
            {
                // The scavenger closed the pooled connection: the server reads end of stream.
                using var guard = CancellationTokenSource.CreateLinkedTokenSource(Token);
                guard.CancelAfter(TimeSpan.FromSeconds(10));
                Assert.Equal(0, await stream.ReadAsync(new byte[1], guard.Token));
            }
            else
            {
                // Still pooled: the next request goes over the same connection.
                var second = client.SendAsync("{}"u8.ToArray(), Token);
                await ReadRequestAsync(stream);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(SseResponse), Token);
                using var again = await second;
                Assert.Equal("data: x\n\n", await ReadBodyAsync(again));
            }
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    public async Task BadOrTruncatedHead_HttpRequestException(string answer)
    {
        using var client = Create();
        var server = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptSocketAsync(Token);
            await using var stream = new NetworkStream(socket);
            await ReadRequestAsync(stream);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), Token);
        }, Token);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync("{}"u8.ToArray(), Token));
        await server;
    }

    [Fact]
    public async Task ErrorStatus_BodyReadableAsContent()
    {
        using var client = Create();
        var server = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptSocketAsync(Token);
            await using var stream = new NetworkStream(socket);
            await ReadRequestAsync(stream);
            await stream.WriteAsync("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"error\":1}"u8.ToArray(), Token);
        }, Token);

        using var response = await client.SendAsync("{}"u8.ToArray(), Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("{\"error\":1}", await ReadBodyAsync(response));
        await server;
    }

    [Fact]
    public async Task CancelledWhileStreaming_ClosesTheUpstreamConnection()
    {
        using var client = Create();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var serverSawClose = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptSocketAsync(Token);
            await using var stream = new NetworkStream(socket);
            await ReadRequestAsync(stream);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata: x\n\n\r\n"u8.ToArray(), Token);
            return await stream.ReadAsync(new byte[1], Token);
        }, Token);

        using (var response = await client.SendAsync("{}"u8.ToArray(), cancel.Token))
        {
            var reader = ((RawBodyContent)response.Content).Reader;
            var first = await reader.ReadAsync(cancel.Token);
            reader.AdvanceTo(first.Buffer.End);
            var pending = reader.ReadAsync(cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
            await reader.CompleteAsync();
        }

        Assert.Equal(0, await serverSawClose);
    }

    [Fact]
    public void ProxyVariableSet_Declines()
    {
        foreach (var name in new[] { "HTTPS_PROXY", "http_proxy", "ALL_PROXY" })
        {
            Assert.Null(Create(variable => variable == name ? "http://127.0.0.1:1" : null));
        }

        Assert.NotNull(Create());
    }

    [Fact]
    public void UnsupportedSchemeOrHeaderValue_Declines()
    {
        Assert.Null(RawHttpClient.TryCreate(new Uri("ftp://127.0.0.1/x"), [], TimeSpan.FromSeconds(1), _ => null, TimeProvider.System));
        Assert.Null(RawHttpClient.TryCreate(Url, [new("X-OpenRouter-Title", "caf\u00e9")], TimeSpan.FromSeconds(1), _ => null, TimeProvider.System));
        Assert.Null(RawHttpClient.TryCreate(Url, [new("X-OpenRouter-Title", "a\r\nInjected: 1")], TimeSpan.FromSeconds(1), _ => null, TimeProvider.System));
    }

    [Fact]
    public async Task NothingListening_HttpRequestException()
    {
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _listener.Stop();
        using var client = RawHttpClient.TryCreate(new Uri("http://127.0.0.1:" + port + "/x"), [], TimeSpan.FromSeconds(10), _ => null, TimeProvider.System)!;
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync("{}"u8.ToArray(), Token));
        Assert.Equal(HttpRequestError.ConnectionError, ex.HttpRequestError);
    }
}
