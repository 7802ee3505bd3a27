using Microsoft.Extensions.Logging;

namespace AotPipe.TestKit.Logging;

/// <summary>One event kept by <see cref="CollectingLoggerProvider"/>.</summary>
/// <param name="Category">The logger category.</param>
/// <param name="Level">The level.</param>
/// <param name="EventId">The event id and name.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Scopes">The active scopes, rendered with <c>ToString</c>.</param>
/// <param name="Exception">The exception text, or null.</param>
public sealed record CollectedLogEvent(string Category, LogLevel Level, EventId EventId, string Message, string Scopes, string? Exception);
