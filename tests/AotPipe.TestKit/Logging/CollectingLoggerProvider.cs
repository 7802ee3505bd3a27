using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace AotPipe.TestKit.Logging;

/// <summary>A logger provider that keeps every event's formatted text, exception text and scopes, for assertions.</summary>
public sealed class CollectingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? _scopes;

    /// <summary>Every event logged, in order of arrival.</summary>
    public ConcurrentQueue<CollectedLogEvent> Events { get; } = new();

    /// <summary>All events as one text: category, event name, message, scopes and exception of each, one per line.</summary>
    public string AllText()
    {
        var text = new StringBuilder();
        foreach (var logEvent in Events)
        {
            text.Append(logEvent.Category).Append(' ').Append(logEvent.EventId.Name).Append(": ").Append(logEvent.Message)
                .Append(" | ").Append(logEvent.Scopes).Append(" | ").Append(logEvent.Exception).Append('\n');
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CollectingLogger(this, categoryName);

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CollectingLogger(CollectingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new StringBuilder();
            owner._scopes?.ForEachScope(static (scope, builder) => builder.Append(scope).Append(" => "), scopes);
            owner.Events.Enqueue(new CollectedLogEvent(category, logLevel, eventId, formatter(state, exception), scopes.ToString(), exception?.ToString()));
        }
    }
}
