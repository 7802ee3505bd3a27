using System.Buffers;
using System.Text;
using AotPipe.Streaming;
using AotPipe.TestKit.Logging;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AotPipe.Tests.Streaming;

public sealed class SseEventLoggerTests
{
    private static SseEvent Event(string? data)
    {
        var raw = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(data is null ? ": keep-alive\n\n" : "data: " + data + "\n\n"));
        return new SseEvent(raw, data is null ? default : Encoding.UTF8.GetBytes(data), data is not null);
    }

    private static (ILoggerFactory Factory, CollectingLoggerProvider Provider) Factory(LogLevel level)
    {
        var provider = new CollectingLoggerProvider();
        return (LoggerFactory.Create(logging => logging.SetMinimumLevel(level).AddProvider(provider)), provider);
    }

    [Fact]
    public void DebugOff_NoLoggerCreated()
    {
        var (factory, _) = Factory(LogLevel.Information);
        using (factory)
        {
            Assert.Null(SseEventLogger.CreateIfEnabled(factory.CreateLogger("T")));
        }
    }

    [Fact]
    public void DebugOn_NonDeltaEventsLoggedDeltasAndCommentsSkipped()
    {
        string image = "data:image/png;base64," + new string('Q', 300);
        var (factory, provider) = Factory(LogLevel.Debug);
        using (factory)
        {
            var logger = SseEventLogger.CreateIfEnabled(factory.CreateLogger("T"))!;
            logger.OnEvent(Event("""{"type":"response.created","sequence_number":0}"""));
            logger.OnEvent(Event("""{"type":"response.output_text.delta","delta":"hi"}"""));
            logger.OnEvent(Event("""{"type":"response.reasoning_summary_text.delta","delta":"x"}"""));
            logger.OnEvent(Event(null));
            logger.OnEvent(Event("{\"sequence_number\":9,\"item\":{\"type\":\"message\"},\"type\":\"response.output_item.done\",\"url\":\"" + image + "\"}"));
            logger.OnEvent(Event("[DONE]"));
        }

        var messages = provider.Events.Select(e => e.Message).ToArray();
        Assert.Equal(3, messages.Length);
        Assert.StartsWith("Upstream event response.created: {", messages[0], StringComparison.Ordinal);
        Assert.StartsWith("Upstream event response.output_item.done: ", messages[1], StringComparison.Ordinal);
        Assert.Contains("…[REDACTED](300 chars)…", messages[1], StringComparison.Ordinal);
        Assert.Equal("Upstream event [DONE]: [DONE]", messages[2]);
        Assert.All(provider.Events, e => Assert.Equal("UpstreamEvent", e.EventId.Name));
    }

    [Theory]
    [InlineData("""{"type":"response.completed"}""", "response.completed")]
    [InlineData("""{"a":{"type":"inner"},"type":"outer"}""", "outer")]
    [InlineData("""{"type":1}""", null)]
    [InlineData("""not json""", null)]
    [InlineData("""{"type":"cut""", null)]
    public void TryReadType_ReadsTopLevelTypeOnly(string data, string? expected)
    {
        bool found = SseEventLogger.TryReadType(Encoding.UTF8.GetBytes(data), out var type);
        Assert.Equal(expected is not null, found);
        if (expected is not null)
        {
            Assert.Equal(expected, Encoding.UTF8.GetString(type));
        }
    }
}
