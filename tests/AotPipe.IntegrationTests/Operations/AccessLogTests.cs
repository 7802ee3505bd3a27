using System.Collections.Concurrent;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using static AotPipe.IntegrationTests.Operations.OperationsTestSupport;

namespace AotPipe.IntegrationTests.Operations;

public sealed class AccessLogTests
{
    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<(string, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, formatter(state, exception)));
        }
    }

    private static async Task<List<string>> RunAsync(string accessLog)
    {
        var provider = new CapturingProvider();
        await using var mock = await MockOpenRouter.StartAsync();
        await using (var gateway = await GatewayHost.StartAsync(
            GatewayHost.EnvironmentFor(mock, ("AOTPIPE_API_KEYS", Keys), ("ACCESS_LOG", accessLog)),
            services => services.AddSingleton<ILoggerProvider>(provider)))
        {
            using var client = gateway.CreateClient();
            using var response = await client.SendAsync(Post("/v1/chat/completions", ChatCompletions.ChatCompletionsTests.ChatBody("mock/stream-text-basic"), AlphaKey));
            await response.Content.ReadAsStringAsync();
        }

        return provider.Lines.Where(l => l.Category == "AotPipe.Access").Select(l => l.Message).ToList();
    }

    [Fact]
    public async Task On_OneLinePerRequest_WithRouteStatusTenantTokensCost_EvenAtWarningLevel()
    {
        var line = Assert.Single(await RunAsync("true"));

        Assert.Contains("route=/v1/chat/completions", line, StringComparison.Ordinal);
        Assert.Contains("status=200", line, StringComparison.Ordinal);
        Assert.Contains("tenant=alpha", line, StringComparison.Ordinal);
        Assert.Contains("prompt_tokens=44", line, StringComparison.Ordinal);
        Assert.Contains("completion_tokens=83", line, StringComparison.Ordinal);
        Assert.Contains("cost=3.892E-05", line, StringComparison.Ordinal);
        Assert.Contains("first_event_ms=", line, StringComparison.Ordinal);
        Assert.DoesNotContain(AlphaKey, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_ByDefault_NoLines() => Assert.Empty(await RunAsync("false"));
}
