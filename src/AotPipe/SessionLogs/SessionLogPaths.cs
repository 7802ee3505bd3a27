namespace AotPipe.SessionLogs;

/// <summary>
/// Archive paths: <c>SESSION_LOG_DIR/[&lt;tenant&gt;/]&lt;user&gt;/&lt;chat&gt;/&lt;message&gt;.zip</c> (DESIGN.md section 4).
/// </summary>
internal static class SessionLogPaths
{
    /// <summary>Longest path component, in characters, after sanitising.</summary>
    public const int MaxComponentLength = 128;

    /// <summary>The archive file extension.</summary>
    public const string ArchiveExtension = ".zip";

    /// <summary>The suffix of temporary files written before the atomic rename.</summary>
    public const string TempExtension = ".tmp";

    /// <summary>
    /// Runs of characters outside <c>[0-9A-Za-z._-]</c> become one <c>_</c>, leading and trailing <c>._-</c> are stripped, the
    /// result is cut to <see cref="MaxComponentLength"/>, and an empty result becomes <paramref name="fallback"/>.
    /// </summary>
    public static string SanitizeComponent(string? value, string fallback)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        var builder = new System.Text.StringBuilder(Math.Min(value.Length, MaxComponentLength * 2));
        bool inRun = false;
        foreach (char c in value)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            {
                builder.Append(c);
                inRun = false;
            }
            else if (!inRun)
            {
                builder.Append('_');
                inRun = true;
            }
        }

        string sanitized = builder.ToString().Trim('.', '_', '-');
        if (sanitized.Length > MaxComponentLength)
        {
            sanitized = sanitized[..MaxComponentLength];
        }

        return sanitized.Length == 0 ? fallback : sanitized;
    }

    /// <summary>
    /// Resolves the archive path of <paramref name="ids"/> under <paramref name="baseDirectory"/>; false if it would fall
    /// outside it (sanitising makes that impossible; the check is a second line of defence).
    /// </summary>
    public static bool TryGetArchivePath(string baseDirectory, SessionLogIds ids, out string archivePath)
    {
        string root = Path.GetFullPath(baseDirectory);
        string user = SanitizeComponent(ids.UserId, "user");
        string chat = SanitizeComponent(ids.ChatId, "chat");
        string message = SanitizeComponent(ids.MessageId, "message") + ArchiveExtension;
        string combined = ids.Tenant is null
            ? Path.Combine(root, user, chat, message)
            : Path.Combine(root, SanitizeComponent(ids.Tenant, "tenant"), user, chat, message);
        archivePath = Path.GetFullPath(combined);
        return IsInside(root, archivePath);
    }

    /// <summary>Whether <paramref name="path"/> lies strictly inside <paramref name="root"/> (both full paths).</summary>
    public static bool IsInside(string root, string path)
    {
        string prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length;
    }
}
