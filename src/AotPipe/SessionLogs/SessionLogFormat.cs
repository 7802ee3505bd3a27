namespace AotPipe.SessionLogs;

/// <summary>Which log files a session-log archive holds besides <c>meta.json</c> (<c>SESSION_LOG_FORMAT</c>).</summary>
internal enum SessionLogFormat
{
    /// <summary><c>logs.jsonl</c> only (the default).</summary>
    Jsonl,

    /// <summary><c>logs.jsonl</c> plus a human-readable <c>logs.txt</c>.</summary>
    Text,

    /// <summary><c>logs.jsonl</c> plus <c>logs.txt</c>; kept apart from <see cref="Text"/> because <c>meta.json</c> records the setting.</summary>
    Both,
}
