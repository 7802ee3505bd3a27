namespace AotPipe.SessionLogs;

/// <summary>Settings of the encrypted per-message session-log archives (DESIGN.md section 3, <c>SESSION_LOG_*</c>).</summary>
/// <param name="Enabled"><c>SESSION_LOG_STORE_ENABLED</c>.</param>
/// <param name="Directory"><c>SESSION_LOG_DIR</c>, the archive base directory.</param>
/// <param name="Password"><c>SESSION_LOG_ZIP_PASSWORD</c>; archives are skipped (one warning) when missing.</param>
/// <param name="Format"><c>SESSION_LOG_FORMAT</c>.</param>
/// <param name="MaxLines"><c>SESSION_LOG_MAX_LINES</c>, events kept per request.</param>
/// <param name="RetentionDays"><c>SESSION_LOG_RETENTION_DAYS</c>, archive age limit.</param>
/// <param name="CleanupIntervalSeconds"><c>SESSION_LOG_CLEANUP_INTERVAL_SECONDS</c>, cleanup cadence.</param>
internal sealed record SessionLogOptions(
    bool Enabled,
    string Directory,
    string? Password,
    SessionLogFormat Format,
    int MaxLines,
    int RetentionDays,
    int CleanupIntervalSeconds)
{
    /// <summary>Whether archives are written: enabled, with a password and a directory.</summary>
    public bool IsActive => Enabled && !string.IsNullOrEmpty(Password) && !string.IsNullOrWhiteSpace(Directory);

    /// <summary>The value <c>meta.json</c> records as <c>log_format</c>.</summary>
    public string FormatName => Format switch
    {
        SessionLogFormat.Text => "text",
        SessionLogFormat.Both => "both",
        _ => "jsonl",
    };
}
