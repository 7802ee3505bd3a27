using AotPipe.Hosting;
using AotPipe.SessionLogs;
using AotPipe.TestKit.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AotPipe.Tests.Hosting;

public sealed class RequestLogMiddlewareTests
{
    private static DefaultHttpContext Context(string method, string path)
    {
        var context = new DefaultHttpContext { TraceIdentifier = "trace-1" };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Headers["X-OpenWebUI-User-Id"] = "user-1";
        context.Request.Headers["X-OpenWebUI-Chat-Id"] = "chat-1";
        context.Request.Headers["X-OpenWebUI-Session-Id"] = "session-1";
        return context;
    }

    private static ILoggerFactory Factory(CollectingLoggerProvider provider) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddProvider(provider);
        logging.AddProvider(new SessionLogCaptureProvider(TimeProvider.System));
        logging.AddFilter<SessionLogCaptureProvider>(null, LogLevel.Debug);
    });

    private static SessionLogQueue Queue(List<SessionLogBuffer> written) => new(
        new SessionLogOptions(true, "unused", "pw", SessionLogFormat.Jsonl, 100, 90, 3600),
        (buffer, _) =>
        {
            lock (written)
            {
                written.Add(buffer);
            }

            return Task.CompletedTask;
        },
        NullLogger.Instance,
        capacity: 16);

    [Fact]
    public async Task ApiRoute_ScopeCarriesRequestUserAndChatId()
    {
        var provider = new CollectingLoggerProvider();
        using var factory = Factory(provider);
        var middleware = new RequestLogMiddleware(factory.CreateLogger("AotPipe.Requests"), queue: null, maxLines: 100);
        var endpointLogger = factory.CreateLogger("AotPipe.Endpoints.Test");

        await middleware.InvokeAsync(Context("POST", "/v1/chat/completions"), _ =>
        {
            endpointLogger.Log(LogLevel.Information, default, "inside", null, static (s, _) => s);
            return Task.CompletedTask;
        });

        var inside = Assert.Single(provider.Events);
        Assert.Contains("RequestId:trace-1 UserId:user-1 ChatId:chat-1", inside.Scopes, StringComparison.Ordinal);
        Assert.DoesNotContain("session-1", inside.Scopes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherRoute_NoScope()
    {
        var provider = new CollectingLoggerProvider();
        using var factory = Factory(provider);
        var middleware = new RequestLogMiddleware(factory.CreateLogger("AotPipe.Requests"), queue: null, maxLines: 100);
        var endpointLogger = factory.CreateLogger("AotPipe.Endpoints.Test");

        await middleware.InvokeAsync(Context("GET", "/healthz"), _ =>
        {
            endpointLogger.Log(LogLevel.Information, default, "inside", null, static (s, _) => s);
            return Task.CompletedTask;
        });

        Assert.Equal(string.Empty, Assert.Single(provider.Events).Scopes);
    }

    [Fact]
    public async Task PostWithArchives_DebugCapturedAndQueuedWithIdsAndTenant()
    {
        var written = new List<SessionLogBuffer>();
        await using var queue = Queue(written);
        var provider = new CollectingLoggerProvider();
        using var factory = Factory(provider);
        var middleware = new RequestLogMiddleware(factory.CreateLogger("AotPipe.Requests"), queue, maxLines: 100);
        var endpointLogger = factory.CreateLogger("AotPipe.Endpoints.Test");
        var context = Context("POST", "/v1/responses");

        await middleware.InvokeAsync(context, http =>
        {
            endpointLogger.Log(LogLevel.Debug, default, "debug inside", null, static (s, _) => s);
            http.Items[RequestLogMiddleware.TenantItemKey] = "team-a";
            return Task.CompletedTask;
        });
        endpointLogger.Log(LogLevel.Debug, default, "after the request", null, static (s, _) => s);
        await queue.DrainAsync(TestContext.Current.CancellationToken);

        var buffer = Assert.Single(written);
        Assert.Equal(new SessionLogIds("user-1", "session-1", "chat-1", "trace-1", "trace-1", "team-a"), buffer.Ids);
        Assert.Contains(buffer.ToArray(), e => e.Message == "debug inside" && e.Category == "AotPipe.Endpoints.Test");
        Assert.Contains(buffer.ToArray(), e => e.EventName == "InboundRequestHeaders");
        Assert.DoesNotContain(buffer.ToArray(), e => e.Message == "after the request");
        Assert.DoesNotContain(provider.Events, e => e.Level == LogLevel.Debug);
        Assert.Null(SessionLogCaptureProvider.Current);
    }

    [Fact]
    public async Task GetWithArchives_NotCaptured()
    {
        var written = new List<SessionLogBuffer>();
        await using var queue = Queue(written);
        using var factory = Factory(new CollectingLoggerProvider());
        var middleware = new RequestLogMiddleware(factory.CreateLogger("AotPipe.Requests"), queue, maxLines: 100);

        await middleware.InvokeAsync(Context("GET", "/v1/models"), _ => Task.CompletedTask);
        await queue.DrainAsync(TestContext.Current.CancellationToken);

        Assert.Empty(written);
    }

    [Fact]
    public async Task EndpointThrows_BufferStillQueued()
    {
        var written = new List<SessionLogBuffer>();
        await using var queue = Queue(written);
        using var factory = Factory(new CollectingLoggerProvider());
        var middleware = new RequestLogMiddleware(factory.CreateLogger("AotPipe.Requests"), queue, maxLines: 100);

        await Assert.ThrowsAsync<InvalidOperationException>(() => middleware.InvokeAsync(Context("POST", "/v1/responses"), _ => throw new InvalidOperationException("boom")));
        await queue.DrainAsync(TestContext.Current.CancellationToken);

        Assert.Single(written);
    }
}
