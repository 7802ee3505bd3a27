using AotPipe.SessionLogs;
using AotPipe.TestKit.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

public sealed class SessionLogCaptureProviderTests
{
    private static readonly string s_longBase64 = new('A', 400);

    private static (ILoggerFactory Factory, CollectingLoggerProvider Console) CreateFactory(FakeTimeProvider time)
    {
        var console = new CollectingLoggerProvider();
        var factory = LoggerFactory.Create(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            logging.AddProvider(console);
            logging.AddProvider(new SessionLogCaptureProvider(time));
            logging.AddFilter<SessionLogCaptureProvider>(null, LogLevel.Debug);
        });
        return (factory, console);
    }

    private static SessionLogBuffer NewBuffer(int maxLines = 100) => new(new SessionLogIds("u", "s", "c", "m", "req-1"), maxLines);

    [Fact]
    public void DebugInsideRequest_CapturedWhileConsoleKeepsItsLevel()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 11, 33, 0, TimeSpan.Zero));
        var (factory, console) = CreateFactory(time);
        using (factory)
        {
            var logger = factory.CreateLogger("AotPipe.Test");
            var buffer = NewBuffer();
            SessionLogCaptureProvider.Current = buffer;
            try
            {
                Assert.True(logger.IsEnabled(LogLevel.Debug));
                logger.Log(LogLevel.Debug, new EventId(5, "Probe"), "debug line", null, static (s, _) => s);
                logger.Log(LogLevel.Warning, new EventId(6, "Warn"), "warning line", null, static (s, _) => s);
            }
            finally
            {
                SessionLogCaptureProvider.Current = null;
            }

            var events = buffer.ToArray();
            Assert.Equal(["debug line", "warning line"], events.Select(e => e.Message));
            Assert.Equal("Probe", events[0].EventName);
            Assert.Equal("AotPipe.Test", events[0].Category);
            Assert.Equal(time.GetUtcNow(), events[0].Timestamp);
            Assert.Equal(["warning line"], console.Events.Select(e => e.Message));
        }
    }

    [Fact]
    public void OutsideRequest_DebugDisabledAndNothingFormatted()
    {
        var (factory, _) = CreateFactory(new FakeTimeProvider());
        using (factory)
        {
            var logger = factory.CreateLogger("AotPipe.Test");
            Assert.False(logger.IsEnabled(LogLevel.Debug));
            logger.Log(LogLevel.Debug, default, "x", null, static (_, _) => throw new InvalidOperationException("formatted while disabled"));
        }
    }

    [Fact]
    public void ConcurrentRequests_EachEventLandsInItsOwnBuffer()
    {
        var (factory, _) = CreateFactory(new FakeTimeProvider());
        using (factory)
        {
            var logger = factory.CreateLogger("AotPipe.Test");
            var buffers = Enumerable.Range(0, 16).Select(i => new SessionLogBuffer(new SessionLogIds("u", null, "c", "m" + i, "r" + i), 100)).ToArray();
            Parallel.For(0, buffers.Length, i =>
            {
                SessionLogCaptureProvider.Current = buffers[i];
                for (int line = 0; line < 10; line++)
                {
                    logger.Log(LogLevel.Debug, default, "r" + i, null, static (s, _) => s);
                }

                SessionLogCaptureProvider.Current = null;
            });

            for (int i = 0; i < buffers.Length; i++)
            {
                Assert.Equal(10, buffers[i].Count);
                Assert.All(buffers[i].ToArray(), e => Assert.Equal("r" + i, e.Message));
            }
        }
    }

    [Fact]
    public void MessageAndException_Redacted()
    {
        var (factory, _) = CreateFactory(new FakeTimeProvider());
        using (factory)
        {
            var logger = factory.CreateLogger("AotPipe.Test");
            var buffer = NewBuffer();
            string blob = new('Z', 300);
            string message = "payload: {\"image_url\":\"data:image/png;base64," + s_longBase64 + "\",\"encrypted_content\":\"" + blob + "\"}";
            var exception = new InvalidOperationException("failed on data:image/png;base64," + s_longBase64);
            SessionLogCaptureProvider.Current = buffer;
            try
            {
                logger.Log(LogLevel.Debug, default, message, exception, static (s, _) => s);
            }
            finally
            {
                SessionLogCaptureProvider.Current = null;
            }

            var captured = Assert.Single(buffer.ToArray());
            Assert.DoesNotContain(s_longBase64, captured.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(blob, captured.Message, StringComparison.Ordinal);
            Assert.Contains("…[REDACTED](400 chars)…", captured.Message, StringComparison.Ordinal);
            Assert.Contains("…[REDACTED](300 chars)…", captured.Message, StringComparison.Ordinal);
            Assert.StartsWith("payload: {", captured.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(s_longBase64, captured.ExceptionText!, StringComparison.Ordinal);
            Assert.Contains("[REDACTED]", captured.ExceptionText!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BufferFull_OldestDropped()
    {
        var (factory, _) = CreateFactory(new FakeTimeProvider());
        using (factory)
        {
            var logger = factory.CreateLogger("AotPipe.Test");
            var buffer = NewBuffer(maxLines: 3);
            SessionLogCaptureProvider.Current = buffer;
            try
            {
                for (int i = 0; i < 5; i++)
                {
                    logger.Log(LogLevel.Debug, default, "line " + i, null, static (s, _) => s);
                }
            }
            finally
            {
                SessionLogCaptureProvider.Current = null;
            }

            Assert.Equal(["line 2", "line 3", "line 4"], buffer.ToArray().Select(e => e.Message));
            Assert.Equal(2, buffer.DroppedCount);
        }
    }
}
