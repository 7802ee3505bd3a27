namespace AotPipe.TestKit;

/// <summary>Files of the source tree, for tests that check committed files against what the code generates.</summary>
public static class Repository
{
    /// <summary>The folder holding AotPipe.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Full path of a file given relative to <see cref="Root"/>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AotPipe.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("AotPipe.sln not found above " + AppContext.BaseDirectory);
    }
}
