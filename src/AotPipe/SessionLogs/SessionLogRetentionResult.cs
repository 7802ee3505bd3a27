namespace AotPipe.SessionLogs;

/// <summary>What one retention pass deleted.</summary>
/// <param name="Archives">Archives older than the retention window.</param>
/// <param name="TempFiles">Leftover temporary files.</param>
/// <param name="Directories">Directories that became empty.</param>
internal readonly record struct SessionLogRetentionResult(int Archives, int TempFiles, int Directories);
