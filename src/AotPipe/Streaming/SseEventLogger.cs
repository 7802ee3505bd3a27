using System.Text;
using System.Text.Json;
using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AotPipe.Streaming;

/// <summary>
/// Logs every upstream SSE event except the <c>*.delta</c> ones at Debug, redacted. The relay loop calls it only when one
/// exists, and one exists only when Debug is enabled for the request (<see cref="CreateIfEnabled"/>), so the relay's hot path
/// pays a null check and nothing else when debug logging is off.
/// </summary>
public sealed class SseEventLogger
{
    private readonly ILogger _logger;

    private SseEventLogger(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>Returns a logger for this request's events, or null when Debug is off for every provider.</summary>
    public static SseEventLogger? CreateIfEnabled(ILogger logger) =>
        logger.IsEnabled(LogLevel.Debug) ? new SseEventLogger(logger) : null;

    /// <summary>Logs <paramref name="sseEvent"/> unless it is a delta or has no data (a keep-alive comment).</summary>
    public void OnEvent(in SseEvent sseEvent)
    {
        if (!sseEvent.HasData)
        {
            return;
        }

        var data = sseEvent.Data.Span;
        if (!TryReadType(data, out var type))
        {
            PayloadLog.UpstreamEvent(_logger, sseEvent.IsDone ? "[DONE]" : "-", data);
            return;
        }

        if (!type.EndsWith(".delta"u8))
        {
            PayloadLog.UpstreamEvent(_logger, Encoding.UTF8.GetString(type), data);
        }
    }

    /// <summary>Reads the top-level <c>type</c> string; OpenRouter writes it first, so this usually reads two tokens.</summary>
    internal static bool TryReadType(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> type)
    {
        type = default;
        var reader = new Utf8JsonReader(data);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isType = reader.ValueTextEquals("type"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isType && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                {
                    type = reader.ValueSpan;
                    return true;
                }

                if (!reader.TrySkip())
                {
                    return false;
                }
            }
        }
        catch (JsonException)
        {
            // A malformed event is logged without a type.
        }

        return false;
    }
}
