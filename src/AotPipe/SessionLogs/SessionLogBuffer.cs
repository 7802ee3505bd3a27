using Microsoft.Extensions.Logging;

namespace AotPipe.SessionLogs;

/// <summary>
/// The log events captured for one request, in memory, bounded by <c>SESSION_LOG_MAX_LINES</c>. When full, the oldest event
/// is dropped (the end of a request, where failures show, matters most) and counted. Appends are thread-safe.
/// </summary>
internal sealed class SessionLogBuffer
{
    private readonly Lock _lock = new();
    private readonly Queue<SessionLogEvent> _events;
    private readonly int _maxLines;
    private long _nextSequence;
    private long _droppedCount;

    /// <summary>Creates the buffer of one request.</summary>
    /// <param name="ids">The request's identifiers.</param>
    /// <param name="maxLines">Most events kept; at least 1.</param>
    public SessionLogBuffer(SessionLogIds ids, int maxLines)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        Ids = ids;
        _maxLines = maxLines;
        _events = new Queue<SessionLogEvent>(Math.Min(maxLines, 256));
    }

    /// <summary>The request's identifiers.</summary>
    public SessionLogIds Ids { get; private set; }

    /// <summary>Events dropped because the buffer was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    /// <summary>Events currently held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Appends one event; the buffer assigns its sequence number and request id.</summary>
    /// <param name="timestamp">When it was logged.</param>
    /// <param name="level">Its level.</param>
    /// <param name="category">The logger category.</param>
    /// <param name="eventId">The event id and name.</param>
    /// <param name="message">The formatted message, already redacted.</param>
    /// <param name="exceptionText">The exception text, already redacted, or null.</param>
    public void Append(DateTimeOffset timestamp, LogLevel level, string category, EventId eventId, string message, string? exceptionText)
    {
        lock (_lock)
        {
            var logEvent = new SessionLogEvent(timestamp, level, category, eventId.Name, eventId.Id, message, exceptionText, Ids.RequestId, _nextSequence++);
            if (_events.Count == _maxLines)
            {
                _events.Dequeue();
                _droppedCount++;
            }

            _events.Enqueue(logEvent);
        }
    }

    /// <summary>
    /// Replaces the identifiers with ones learnt later in the request (the tenant, once authentication has run). The request id
    /// cannot change: the events already held carry it.
    /// </summary>
    public void Rebind(SessionLogIds ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (!string.Equals(ids.RequestId, Ids.RequestId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The request id of a session-log buffer cannot change.", nameof(ids));
        }

        lock (_lock)
        {
            Ids = ids;
        }
    }

    /// <summary>A copy of the events held, oldest first.</summary>
    public SessionLogEvent[] ToArray()
    {
        lock (_lock)
        {
            return _events.ToArray();
        }
    }
}
