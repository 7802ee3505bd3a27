using AotPipe.Artifacts;
using AotPipe.Persistence;
using AotPipe.TestKit.Postgres;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AotPipe.Benchmarks.Persistence;

/// <summary>
/// Latency of <see cref="IArtifactStore.AppendAsync"/> through the real store (channel, group commit, COPY, fsync) when
/// <see cref="Streams"/> callers append at once: one operation = every caller acknowledged.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Persistence")]
public class GroupCommitBenchmarks
{
    private PostgresCluster? _cluster;
    private PostgresArtifactStore? _store;
    private string _payload = string.Empty;

    [Params(1, 50, 200, 500)]
    public int Streams { get; set; }

    [Params(0, 5)]
    public int WindowMs { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await PostgresCluster.CreateAsync();
        PostgresArtifactStore.TryCreateDataSource(_cluster.ConnectionString, out var dataSource, out _);
        ArtifactTableName.TryCreate("bench_gc", null, out var table, out _);
        var options = new ArtifactStoreOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "aotpipe-bench-" + Guid.NewGuid().ToString("N")),
            BatchWindow = TimeSpan.FromMilliseconds(WindowMs),
        };
        _store = new PostgresArtifactStore(dataSource!, ownsDataSource: true, table, options, TimeProvider.System, NullLogger.Instance);
        await _store.InitializeAsync(CancellationToken.None);
        _payload = "{\"ciphertext\":\"" + new string('A', 1024 - 27) + "\",\"enc_v\":2}";
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Benchmark(Description = "AppendAsync, all callers acknowledged")]
    public async Task AppendConcurrentAsync()
    {
        var tasks = new Task<ArtifactWriteResult>[Streams];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < tasks.Length; i++)
        {
            var row = new ArtifactRecord(ArtifactId.NewId(), "tenant/user", "chat-" + i, "msg", "m", "reasoning", _payload, true, now);
            tasks[i] = _store!.AppendAsync(row, CancellationToken.None).AsTask();
        }

        await Task.WhenAll(tasks);
    }
}
