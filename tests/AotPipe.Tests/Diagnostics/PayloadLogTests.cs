using System.Security.Cryptography;
using System.Text;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.TestKit.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AotPipe.Tests.Diagnostics;

public sealed class PayloadLogTests
{
    private const string UpstreamKey = "sk-or-v1-unit-test-key-0123456789";
    private static readonly string s_base64 = Convert.ToBase64String(new byte[600]);

    private static GatewaySettings Settings() => GatewaySettings.Load(new Dictionary<string, string?> { ["OPENROUTER_API_KEY"] = UpstreamKey });

    private static byte[] PayloadWithImage() =>
        Encoding.UTF8.GetBytes("{\"model\":\"m\",\"input\":[{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64," + s_base64 + "\"}]}");

    private static string Fingerprint(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..8];

    private static (ILoggerFactory Factory, CollectingLoggerProvider Provider) Factory(LogLevel level)
    {
        var provider = new CollectingLoggerProvider();
        return (LoggerFactory.Create(logging => logging.SetMinimumLevel(level).AddProvider(provider)), provider);
    }

    [Fact]
    public void DebugOff_HeadersNeverReadAndNothingFormatted()
    {
        var context = new DefaultHttpContext();
        context.Features.Get<IHttpRequestFeature>()!.Headers = new ThrowingHeaders();
        var logger = new RefusingLogger();

        PayloadLog.InboundHeaders(logger, context.Request);
        PayloadLog.UpstreamRequest(logger, PayloadWithImage(), Settings());

        Assert.True(logger.IsEnabledCalls >= 2);
    }

    [Fact]
    public void DebugOn_UpstreamRequest_KeyFingerprintedPayloadRedacted()
    {
        var (factory, provider) = Factory(LogLevel.Debug);
        using (factory)
        {
            PayloadLog.UpstreamRequest(factory.CreateLogger("T"), PayloadWithImage(), Settings());
        }

        var events = provider.Events.ToArray();
        Assert.Equal(["UpstreamRequestHeaders", "UpstreamRequestPayload"], events.Select(e => e.EventId.Name));
        Assert.Contains("Authorization: Bearer " + Fingerprint(UpstreamKey), events[0].Message, StringComparison.Ordinal);
        Assert.Contains("X-OpenRouter-Title: AotPipe", events[0].Message, StringComparison.Ordinal);
        Assert.Contains("…[REDACTED](" + s_base64.Length + " chars)…", events[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(s_base64, provider.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey, provider.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public void DebugOn_InboundHeaders_CredentialFingerprintedIdentityMasked()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v1/chat/completions";
        context.Request.Headers.Authorization = "Bearer inbound-secret-key";
        context.Request.Headers["X-OpenWebUI-User-Email"] = "alice@example.com";
        context.Request.Headers.ContentType = "application/json";
        var (factory, provider) = Factory(LogLevel.Debug);
        using (factory)
        {
            PayloadLog.InboundHeaders(factory.CreateLogger("T"), context.Request);
        }

        string message = Assert.Single(provider.Events).Message;
        Assert.Contains("POST /v1/chat/completions", message, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer " + Fingerprint("inbound-secret-key"), message, StringComparison.Ordinal);
        Assert.Contains("X-OpenWebUI-User-Email: al***(17)", message, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", message, StringComparison.Ordinal);
        Assert.DoesNotContain("inbound-secret-key", message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@", message, StringComparison.Ordinal);
    }

    /// <summary>Debug is off; formatting or logging anything fails the test.</summary>
    private sealed class RefusingLogger : ILogger
    {
        public int IsEnabledCalls { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel)
        {
            IsEnabledCalls++;
            return logLevel >= LogLevel.Information;
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new InvalidOperationException("logged although debug is off");
    }
}
