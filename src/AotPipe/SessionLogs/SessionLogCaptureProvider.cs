using AotPipe.Redaction;
using Microsoft.Extensions.Logging;

namespace AotPipe.SessionLogs;

/// <summary>
/// Copies every log event of a request, at <see cref="LogLevel.Debug"/> and above whatever <c>LOG_LEVEL</c> says, into that
/// request's <see cref="SessionLogBuffer"/>. The buffer is found through <see cref="Current"/>, which the request middleware
/// sets; outside a request the loggers are disabled, so nothing is formatted for them.
/// </summary>
/// <remarks>
/// <c>ILoggerFactory</c> filters per provider: the host registers this provider with its own rule
/// (<c>AddFilter&lt;SessionLogCaptureProvider&gt;(null, LogLevel.Debug)</c>), so the console keeps <c>LOG_LEVEL</c>. Every
/// message and exception text passes through <see cref="LogRedaction"/> before it is buffered.
/// </remarks>
internal sealed class SessionLogCaptureProvider : ILoggerProvider
{
    private static readonly AsyncLocal<SessionLogBuffer?> s_current = new();

    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the provider.</summary>
    public SessionLogCaptureProvider(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>The buffer of the request running on this execution context, or null.</summary>
    public static SessionLogBuffer? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CaptureLogger(categoryName, _timeProvider);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>Appends to the current request's buffer; disabled when there is none.</summary>
    private sealed class CaptureLogger(string category, TimeProvider timeProvider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Debug and < LogLevel.None && s_current.Value is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || s_current.Value is not { } buffer)
            {
                return;
            }

            string message = LogRedaction.RedactText(formatter(state, exception));
            string? exceptionText = exception is null ? null : LogRedaction.RedactText(exception.ToString());
            buffer.Append(timeProvider.GetUtcNow(), logLevel, category, eventId, message, exceptionText);
        }
    }
}
