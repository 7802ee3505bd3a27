using AotPipe.Hosting;
using Xunit;

namespace AotPipe.Tests.Hosting;

/// <summary>What the start-up log says when the artifact store cannot initialise (<c>ArtifactStoreLifetime</c>).</summary>
public sealed class StoreFailureDescriptionTests
{
    [Fact]
    public void FileSystemError_NamesTypeAndPath()
    {
        var description = ArtifactStoreLifetime.DescribeFailure(new DirectoryNotFoundException("Could not find a part of the path '/srv/aotpipe/data/artifacts.db'."));

        Assert.Equal("DirectoryNotFoundException: Could not find a part of the path '/srv/aotpipe/data/artifacts.db'.", description);
    }

    [Fact]
    public void AccessDenied_WrappedTwice_NamesInnermostTypeAndPath()
    {
        var failure = new InvalidOperationException("store failed", new AggregateException(new UnauthorizedAccessException("Access to the path '/data' is denied.")));

        Assert.Equal("UnauthorizedAccessException: Access to the path '/data' is denied.", ArtifactStoreLifetime.DescribeFailure(failure));
    }

    [Fact]
    public void MissingNativeLibrary_NamesTheInnermostTypeOnly()
    {
        var failure = new TypeInitializationException("Microsoft.Data.Sqlite.SqliteConnection", new DllNotFoundException("Unable to load shared library 'e_sqlite3'"));

        Assert.Equal("DllNotFoundException", ArtifactStoreLifetime.DescribeFailure(failure));
    }

    [Fact]
    public void OtherError_KeepsItsMessageOut()
    {
        // A driver's message may carry connection details; only file-system messages are logged.
        var failure = new InvalidOperationException("Host=db.internal;Username=aotpipe;Password=pw-secret");

        var description = ArtifactStoreLifetime.DescribeFailure(failure);

        Assert.Equal("InvalidOperationException", description);
        Assert.DoesNotContain("pw-secret", description, StringComparison.Ordinal);
    }
}
