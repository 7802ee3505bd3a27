using AotPipe.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace AotPipe.IntegrationTests.Persistence;

/// <summary>The store contract against the embedded SQLite file.</summary>
public sealed class SqliteArtifactStoreTests : ArtifactStoreContractTests
{
    // Every instance of one test opens the same file, like two processes sharing one data directory.
    private protected override IArtifactStore CreateStore(ArtifactTableName table, ArtifactStoreOptions options, TimeProvider time) =>
        new SqliteArtifactStore(table, new ArtifactStoreOptions { DataDirectory = DataDirectory, BatchWindow = options.BatchWindow }, time, NullLogger.Instance);
}
