using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AotPipe.SessionLogs;

/// <summary>
/// Deletes archives older than <c>SESSION_LOG_RETENTION_DAYS</c> (by last write time), leftover temporary files and the
/// directories that become empty. The base directory itself is never deleted.
/// </summary>
internal sealed class SessionLogRetention(SessionLogOptions options, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Age after which a temporary file is treated as left over by a crash rather than a write in progress.</summary>
    public static readonly TimeSpan TempFileGrace = TimeSpan.FromHours(1);

    /// <summary>Deletes what is due now and returns the counts.</summary>
    public SessionLogRetentionResult RunOnce()
    {
        string root = Path.GetFullPath(options.Directory);
        if (!Directory.Exists(root))
        {
            return default;
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var archiveCutoff = now - TimeSpan.FromDays(options.RetentionDays);
        var tempCutoff = now - TempFileGrace;
        int archives = 0;
        int temps = 0;
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var written = File.GetLastWriteTimeUtc(file);
            if (file.EndsWith(SessionLogPaths.ArchiveExtension, StringComparison.Ordinal) && written < archiveCutoff)
            {
                File.Delete(file);
                archives++;
            }
            else if (file.EndsWith(SessionLogPaths.TempExtension, StringComparison.Ordinal) && written < tempCutoff)
            {
                File.Delete(file);
                temps++;
            }
        }

        int directories = DeleteEmptyDirectories(root, isRoot: true);
        if (archives + temps + directories > 0)
        {
            SessionLogLog.RetentionDeleted(logger, archives, temps, directories);
        }

        return new SessionLogRetentionResult(archives, temps, directories);
    }

    /// <summary>Runs <see cref="RunOnce"/> every <c>SESSION_LOG_CLEANUP_INTERVAL_SECONDS</c> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.CleanupIntervalSeconds));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                RunOnce();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                SessionLogLog.RetentionFailed(logger, exception);
            }

            try
            {
                await Hosting.LongDelay.WaitAsync(interval, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static int DeleteEmptyDirectories(string directory, bool isRoot)
    {
        int deleted = 0;
        foreach (string child in Directory.EnumerateDirectories(directory))
        {
            deleted += DeleteEmptyDirectories(child, isRoot: false);
        }

        if (!isRoot && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
            deleted++;
        }

        return deleted;
    }
}
