using System.Diagnostics;
using System.Net;
using System.Text;
using AotPipe.Ingestion;
using AotPipe.Security.Egress;
using AotPipe.Tests.Security.Egress;
using Xunit;

namespace AotPipe.Tests.Ingestion;

/// <summary>
/// Downloads against a real TCP server on 127.0.0.1, reached only through the fake resolver and the loopback connector:
/// the guard sees public-looking addresses, the socket goes to loopback.
/// </summary>
public sealed class RemoteDownloaderTests
{
    private static readonly byte[] s_png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    private static readonly IPEndPoint s_publicHttp = new(IPAddress.Parse(FakeHostResolver.PublicV4), 80);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RemoteImage_IsInlinedAsDataUrl_ThroughValidatedAddressOnly()
    {
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct));
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/cat.png", null, Ct);
        Assert.True(result.IsSuccess, result.Reason);
        Assert.Equal("image/png", result.MediaType);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(s_png), result.DataUrl);
        Assert.All(rig.Connector.Requested, e => Assert.Equal(s_publicHttp, e));
        Assert.Equal("img.test", Assert.Single(rig.Server.Requests).Host);
    }

    [Fact]
    public async Task UnknownMagic_UsesContentTypeEssence()
    {
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteResponseAsync(stream, 200, "<svg/>"u8.ToArray(), "image/svg+xml; charset=utf-8", null, ct));
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/a.svg", null, Ct);
        Assert.Equal("image/svg+xml", result.MediaType);
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1001, false)]
    public async Task ContentLength_AtLimitPasses_OnePastFails(int size, bool passes)
    {
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteResponseAsync(stream, 200, new byte[size], null, null, ct), new IngestionOptions { RemoteFileMaxBytes = 1000 });
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/a", null, Ct);
        Assert.Equal(passes, result.IsSuccess);
        if (!passes)
        {
            Assert.Equal(EgressReasons.TooLarge, result.Reason);
        }
        else
        {
            Assert.Equal(size, result.Length);
        }
    }

    [Theory]
    [InlineData(1000, 1000, true)]
    [InlineData(1000, 1001, false)]
    [InlineData(200_000, 200_000, true)]
    [InlineData(200_000, 200_001, false)]
    public async Task ChunkedBody_AtLimitPasses_OnePastFails(int limit, int size, bool passes)
    {
        byte[] body = new byte[size];
        new Random(size).NextBytes(body);
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteChunkedAsync(stream, body, 8192, ct), new IngestionOptions { RemoteFileMaxBytes = limit });
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/a", null, Ct);
        Assert.Equal(passes, result.IsSuccess);
        if (passes)
        {
            Assert.Equal("data:application/octet-stream;base64," + Convert.ToBase64String(body), result.DataUrl);
        }
        else
        {
            Assert.Equal(EgressReasons.TooLarge, result.Reason);
        }
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(60, 1)]
    public async Task TricklingBody_HitsTheDeadline(int attemptSeconds, int budgetSeconds)
    {
        await using Rig rig = Rig.Create(
            async (_, stream, ct) =>
            {
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"u8.ToArray(), ct);
                for (int i = 0; i < 100; i++)
                {
                    await stream.WriteAsync(new byte[] { 1 }, ct);
                    await stream.FlushAsync(ct);
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            },
            new IngestionOptions { AttemptTimeout = TimeSpan.FromSeconds(attemptSeconds), MaxRetryTime = TimeSpan.FromSeconds(budgetSeconds), MaxRetries = 0 });
        var clock = Stopwatch.StartNew();
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/slow", null, Ct);
        Assert.Equal(EgressReasons.Timeout, result.Reason);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SilentServer_HitsTheHeaderTimeout()
    {
        await using Rig rig = Rig.Create(
            (_, _, ct) => Task.Delay(TimeSpan.FromSeconds(30), ct),
            new IngestionOptions { ResponseHeaderTimeout = TimeSpan.FromSeconds(1), MaxRetries = 0 });
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/silent", null, Ct);
        Assert.Equal(EgressReasons.Timeout, result.Reason);
    }

    [Theory]
    [InlineData("http://private.test/x.png", EgressReasons.PrivateAddress)]
    [InlineData("http://127.0.0.1/x.png", EgressReasons.PrivateAddress)]
    [InlineData("http://0x7f.1/x.png", EgressReasons.PrivateAddress)]
    [InlineData("http://localhost/x.png", EgressReasons.Localhost)]
    [InlineData("http://public.example/x.png", EgressReasons.InsecureHttp)]
    [InlineData("gopher://img.test/", EgressReasons.Scheme)]
    [InlineData("http://user@img.test/", EgressReasons.UserInfo)]
    [InlineData("http://img.test:81/", EgressReasons.Port)]
    public async Task RedirectToForbiddenTarget_IsBlocked_AndNeverConnected(string location, string reason)
    {
        await using Rig rig = Rig.Create((request, stream, ct) => request.Path == "/start"
            ? LoopbackHttpServer.RedirectAsync(stream, location, ct)
            : LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct));
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/start", null, Ct);
        Assert.Equal(reason, result.Reason);
        Assert.Single(rig.Server.Requests);
        Assert.All(rig.Connector.Requested, e => Assert.Equal(s_publicHttp, e));
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public async Task RedirectChain_FiveHopsPass_SixthFails(int redirects, bool passes)
    {
        await using Rig rig = Rig.Create((request, stream, ct) =>
        {
            int hop = int.Parse(request.Path.AsSpan("/hop/".Length), provider: null);
            return hop < redirects
                ? LoopbackHttpServer.RedirectAsync(stream, "/hop/" + (hop + 1), ct)
                : LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct);
        });
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/hop/0", null, Ct);
        Assert.Equal(passes, result.IsSuccess);
        if (!passes)
        {
            Assert.Equal(EgressReasons.TooManyRedirects, result.Reason);
        }

        Assert.Equal(Math.Min(redirects, RemoteDownloader.MaxRedirects) + 1, rig.Server.Requests.Count);
    }

    [Fact]
    public async Task CrossOriginRedirect_DropsAuthorizationAndCookie()
    {
        await using Rig rig = Rig.Create((request, stream, ct) => request.Path switch
        {
            "/a" => LoopbackHttpServer.RedirectAsync(stream, "/b", ct),
            "/b" => LoopbackHttpServer.RedirectAsync(stream, "http://other.test/c", ct),
            _ => LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct),
        });
        KeyValuePair<string, string>[] headers = [new("Authorization", "Bearer t"), new("Cookie", "c=1"), new("X-Keep", "1")];
        DownloadResult result = await rig.Downloader.DownloadAsync("http://img.test/a", headers, Ct);
        Assert.True(result.IsSuccess, result.Reason);
        ReceivedRequest[] seen = rig.Server.Requests.ToArray();
        Assert.Equal(["img.test", "img.test", "other.test"], seen.Select(r => r.Host));
        Assert.True(seen[1].Headers.ContainsKey("Authorization"));
        Assert.True(seen[1].Headers.ContainsKey("Cookie"));
        Assert.False(seen[2].Headers.ContainsKey("Authorization"));
        Assert.False(seen[2].Headers.ContainsKey("Cookie"));
        Assert.True(seen[2].Headers.ContainsKey("X-Keep"));
    }

    [Fact]
    public async Task RebindingName_ConnectsOnlyToTheFirstValidatedAddress()
    {
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct));
        DownloadResult result = await rig.Downloader.DownloadAsync("http://rebind.test/a.png", null, Ct);
        Assert.True(result.IsSuccess, result.Reason);
        Assert.Equal(1, rig.Resolver.CallsFor("rebind.test"));
        Assert.Equal(s_publicHttp, Assert.Single(rig.Connector.Requested));
    }

    [Fact]
    public async Task UnpinnedRequest_IsRecheckedInConnectCallback_AndRebindingIsBlocked()
    {
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct));
        Assert.True((await rig.Guard.CheckAsync("http://rebind.test/a.png", Ct)).IsAllowed);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://rebind.test/a.png");
        HttpRequestException error = await Assert.ThrowsAsync<HttpRequestException>(() => rig.Invoker.SendAsync(request, Ct));
        EgressBlockedException blocked = Assert.IsType<EgressBlockedException>(error.InnerException);
        Assert.Equal(EgressReasons.PrivateAddress, blocked.Reason);
        Assert.Empty(rig.Connector.Requested);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public async Task EveryTestConnect_GoesToLoopbackOnly()
    {
        await using Rig rig = Rig.Create((_, stream, ct) => LoopbackHttpServer.WriteResponseAsync(stream, 200, s_png, "image/png", null, ct));
        Assert.True((await rig.Downloader.DownloadAsync("http://img.test/a.png", null, Ct)).IsSuccess);
        Assert.NotEmpty(LoopbackConnector.ActualConnects);
        Assert.All(LoopbackConnector.ActualConnects, e => Assert.True(IPAddress.IsLoopback(e.Address), e.ToString()));
        Assert.All(rig.Connector.Requested, e => Assert.False(IPAddress.IsLoopback(e.Address)));
    }

    private sealed class Rig : IAsyncDisposable
    {
        private Rig(LoopbackHttpServer server, LoopbackConnector connector, FakeHostResolver resolver, EgressGuard guard, HttpMessageInvoker invoker, RemoteDownloader downloader)
        {
            Server = server;
            Connector = connector;
            Resolver = resolver;
            Guard = guard;
            Invoker = invoker;
            Downloader = downloader;
        }

        public LoopbackHttpServer Server { get; }

        public LoopbackConnector Connector { get; }

        public FakeHostResolver Resolver { get; }

        public EgressGuard Guard { get; }

        public HttpMessageInvoker Invoker { get; }

        public RemoteDownloader Downloader { get; }

        public static Rig Create(Func<ReceivedRequest, Stream, CancellationToken, Task> handler, IngestionOptions? options = null)
        {
            var server = new LoopbackHttpServer(handler);
            var connector = new LoopbackConnector(server.Port);
            FakeHostResolver resolver = FakeHostResolver.CreateDefault();
            var guard = new EgressGuard(
                new EgressPolicy(new EgressOptions
                {
                    AllowInsecureHttp = true,
                    AllowInsecureHttpHosts = ["img.test", "other.test", "rebind.test", "private.test", "127.0.0.1", "localhost", "0x7f.1"],
                }),
                resolver,
                TimeProvider.System);
            HttpMessageInvoker invoker = GuardedHttpClientFactory.Create(guard, connector);
            var downloader = new RemoteDownloader(guard, invoker, options ?? new IngestionOptions(), TimeProvider.System);
            return new Rig(server, connector, resolver, guard, invoker, downloader);
        }

        public async ValueTask DisposeAsync()
        {
            Invoker.Dispose();
            await Server.DisposeAsync();
        }
    }
}
