using AotPipe.TestKit.Postgres;
using Xunit;

namespace AotPipe.IntegrationTests.Persistence;

/// <summary>Tests that share the throwaway PostgreSQL cluster; they run one at a time (fault tests stop the server).</summary>
[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
