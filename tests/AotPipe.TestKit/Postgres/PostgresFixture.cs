using Xunit;

namespace AotPipe.TestKit.Postgres;

/// <summary>
/// Collection fixture owning one <see cref="PostgresCluster"/> for a test collection. A missing prerequisite makes each
/// test skip locally and fail when <c>CI=true</c>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private string? _missing;

    /// <summary>The cluster; calls <see cref="Assert.Skip(string)"/> (or fails on CI) when it could not start.</summary>
    public PostgresCluster Cluster
    {
        get
        {
            if (_cluster is null)
            {
                var reason = "PostgreSQL unavailable: " + (_missing ?? "not started");
                if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    Assert.Fail(reason);
                }

                Assert.Skip(reason);
                return null!;
            }

            return _cluster;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _missing = PostgresCluster.MissingPrerequisite();
        if (_missing is null)
        {
            _cluster = await PostgresCluster.CreateAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
