using AotPipe.SessionLogs;
using ICSharpCode.SharpZipLib;

namespace AotPipe.Cli;

/// <summary><c>aotpipe session-log extract ZIP [--out DIR]</c>: decrypts a session-log archive.</summary>
public static class SessionLogExtractCommand
{
    /// <summary>
    /// Extracts every entry of <paramref name="zipPath"/> into <paramref name="outDir"/> (default: a directory named after the
    /// archive, beside it) and prints the written paths. Exit 0 ok, 1 wrong password or damaged archive, 2 usage or
    /// configuration error (no archive, no <c>SESSION_LOG_ZIP_PASSWORD</c>).
    /// </summary>
    public static async Task<int> RunAsync(string zipPath, string? outDir, string? password, TextWriter stdout, TextWriter stderr)
    {
        if (string.IsNullOrWhiteSpace(zipPath) || !File.Exists(zipPath))
        {
            await stderr.WriteLineAsync("usage: aotpipe session-log extract ZIP [--out DIR] (archive not found)");
            return 2;
        }

        if (string.IsNullOrEmpty(password))
        {
            await stderr.WriteLineAsync("SESSION_LOG_ZIP_PASSWORD is not set");
            return 2;
        }

        Dictionary<string, byte[]> entries;
        try
        {
            await using var stream = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            entries = SessionLogArchiveWriter.ReadEntries(stream, password);
        }
        catch (Exception exception) when (exception is SharpZipBaseException or InvalidDataException or EndOfStreamException)
        {
            await stderr.WriteLineAsync("wrong password or damaged archive");
            return 1;
        }

        string target = Path.GetFullPath(outDir ?? Path.ChangeExtension(zipPath, null));
        Directory.CreateDirectory(target);
        foreach (var (name, content) in entries)
        {
            // Entry names come from the archive: only plain file names are written, always inside the target.
            string fileName = Path.GetFileName(name);
            string path = Path.GetFullPath(Path.Combine(target, fileName));
            if (fileName.Length == 0 || !SessionLogPaths.IsInside(target, path))
            {
                await stderr.WriteLineAsync("skipped an entry with an unsafe name");
                continue;
            }

            await File.WriteAllBytesAsync(path, content);
            await stdout.WriteLineAsync(path);
        }

        return 0;
    }
}
