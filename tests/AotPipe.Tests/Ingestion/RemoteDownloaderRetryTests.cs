using System.Net;
using AotPipe.Ingestion;
using AotPipe.Security.Egress;
using AotPipe.Tests.Security.Egress;
using Xunit;

namespace AotPipe.Tests.Ingestion;

public sealed class RemoteDownloaderRetryTests
{
    private static readonly byte[] s_png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

    private static (RemoteDownloader Downloader, FakeHttpHandler Handler) Create(TimerSignalingTimeProvider time, IngestionOptions options, Func<HttpRequestMessage, int, HttpResponseMessage> respond)
    {
        var handler = new FakeHttpHandler(time, respond);
        var guard = new EgressGuard(new EgressPolicy(new EgressOptions()), FakeHostResolver.CreateDefault(), time);
        return (new RemoteDownloader(guard, new HttpMessageInvoker(handler), options, time), handler);
    }

    private static HttpResponseMessage Status(int status, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(s_png) };
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        }

        return response;
    }

    private static IngestionOptions Options(int retries = 3, int initial = 5, int budget = 45) => new()
    {
        MaxRetries = retries,
        InitialRetryDelay = TimeSpan.FromSeconds(initial),
        MaxRetryTime = TimeSpan.FromSeconds(budget),
    };

    [Fact]
    public async Task TransientFailures_BackOffExponentially_ThenSucceed()
    {
        var time = new TimerSignalingTimeProvider();
        DateTimeOffset start = time.GetUtcNow();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(), (_, call) => call <= 3 ? Status(503) : Status(200));
        Task<DownloadResult> download = downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5));
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(10));
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(20));
        DownloadResult result = await download.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True(result.IsSuccess, result.Reason);
        Assert.Equal([0d, 5, 15, 35], handler.Calls.Select(c => (c.At - start).TotalSeconds));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task RetryableStatus_IsRetriedUpToMaxRetries(int status)
    {
        var time = new TimerSignalingTimeProvider();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(retries: 2, initial: 1, budget: 45), (_, _) => Status(status));
        Task<DownloadResult> download = downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        DownloadResult result = await download.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal("http-" + status, result.Reason);
        Assert.Equal(3, handler.CallCount);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task PermanentStatus_IsNotRetried(int status)
    {
        var time = new TimerSignalingTimeProvider();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(), (_, _) => Status(status));
        DownloadResult result = await downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        Assert.Equal("http-" + status, result.Reason);
        Assert.Equal(1, handler.CallCount);
    }

    [Fact]
    public async Task NetworkError_IsRetried()
    {
        var time = new TimerSignalingTimeProvider();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(), (_, call) => call == 1 ? throw new HttpRequestException("reset") : Status(200));
        Task<DownloadResult> download = downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5));
        DownloadResult result = await download.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True(result.IsSuccess, result.Reason);
        Assert.Equal(2, handler.CallCount);
    }

    [Fact]
    public async Task RetryAfter_ReplacesBackoff()
    {
        var time = new TimerSignalingTimeProvider();
        DateTimeOffset start = time.GetUtcNow();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(), (_, call) => call == 1 ? Status(429, TimeSpan.FromSeconds(2)) : Status(200));
        Task<DownloadResult> download = downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        DownloadResult result = await download.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True(result.IsSuccess, result.Reason);
        Assert.Equal([0d, 2], handler.Calls.Select(c => (c.At - start).TotalSeconds));
    }

    [Fact]
    public async Task RetryAfterPastBudget_GivesUpWithoutWaiting()
    {
        var time = new TimerSignalingTimeProvider();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(), (_, _) => Status(429, TimeSpan.FromSeconds(100)));
        DownloadResult result = await downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        Assert.Equal("http-429", result.Reason);
        Assert.Equal(1, handler.CallCount);
    }

    [Fact]
    public async Task BackoffPastBudget_StopsEarly()
    {
        // Budget 12 s: attempts at 0 and 5; the next wait (10 s) would end at 15 s, past the budget.
        var time = new TimerSignalingTimeProvider();
        (RemoteDownloader downloader, FakeHttpHandler handler) = Create(time, Options(retries: 3, initial: 5, budget: 12), (_, _) => Status(503));
        Task<DownloadResult> download = downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5));
        DownloadResult result = await download.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal("http-503", result.Reason);
        Assert.Equal(2, handler.CallCount);
    }

    [Fact]
    public async Task HttpsToHttpRedirect_IsBlocked()
    {
        var time = new TimerSignalingTimeProvider();
        var handler = new FakeHttpHandler(time, (request, _) =>
        {
            var redirect = new HttpResponseMessage(HttpStatusCode.Found);
            redirect.Headers.Location = new Uri("http://img.test/a.png");
            return redirect;
        });
        var guard = new EgressGuard(
            new EgressPolicy(new EgressOptions { AllowInsecureHttp = true, AllowInsecureHttpHosts = ["img.test"] }),
            FakeHostResolver.CreateDefault(),
            time);
        var downloader = new RemoteDownloader(guard, new HttpMessageInvoker(handler), Options(), time);
        DownloadResult result = await downloader.DownloadAsync("https://public.example/a.png", null, TestContext.Current.CancellationToken);
        Assert.Equal(EgressReasons.RedirectDowngrade, result.Reason);
        Assert.Equal(1, handler.CallCount);
    }
}
