namespace AotPipe.Tools;

/// <summary>The folder holding AotPipe.sln, so the generators write into the source tree wherever they are run from.</summary>
internal static class RepositoryRoot
{
    /// <summary>Walks up from the current directory; throws when run outside the repository.</summary>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AotPipe.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository (AotPipe.sln not found above the current directory).");
    }
}
