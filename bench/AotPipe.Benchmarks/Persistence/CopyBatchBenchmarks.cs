using AotPipe.Artifacts;
using AotPipe.Persistence;
using AotPipe.TestKit.Postgres;
using BenchmarkDotNet.Attributes;
using Npgsql;
using NpgsqlTypes;

namespace AotPipe.Benchmarks.Persistence;

/// <summary>
/// Rows per second into a real PostgreSQL 15 (started by the benchmark): the store's batch transaction (stage + binary
/// COPY + INSERT … ON CONFLICT + conflict check) against one multi-row INSERT per batch and one autocommitted INSERT per
/// row (the original pipe's shape), 1 KiB payloads. One operation writes <see cref="BatchSize"/> rows.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Persistence")]
public class CopyBatchBenchmarks
{
    private PostgresCluster? _cluster;
    private NpgsqlDataSource? _dataSource;
    private CopyBatchWriter? _copy;
    private string _table = string.Empty;
    private string _payload = string.Empty;

    [Params(1, 10, 100, 1000)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await PostgresCluster.CreateAsync();
        if (!PostgresArtifactStore.TryCreateDataSource(_cluster.ConnectionString, out _dataSource, out var error))
        {
            throw new InvalidOperationException(error);
        }

        ArtifactTableName.TryCreate("bench_" + BatchSize, "bench-key", out var table, out _);
        var store = new PostgresArtifactStore(_dataSource!, ownsDataSource: false, table, new ArtifactStoreOptions { DataDirectory = Path.Combine(Path.GetTempPath(), "aotpipe-bench-" + Guid.NewGuid().ToString("N")) }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await store.InitializeAsync(CancellationToken.None);
        await store.DisposeAsync();
        _table = "\"" + table.Name + "\"";
        _copy = new CopyBatchWriter(_dataSource!, table, PostgresColumnTypes.Default);
        // 1 KiB of base64-like text inside the sealed-envelope shape.
        _payload = "{\"ciphertext\":\"" + new string('A', 1024 - 27) + "\",\"enc_v\":2}";
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_copy is not null)
        {
            await _copy.DisposeAsync();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private ArtifactRecord[] NewRows()
    {
        var rows = new ArtifactRecord[BatchSize];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new ArtifactRecord(ArtifactId.NewId(), "tenant/user", "chat-1", "msg-1", "openai/gpt-5", "reasoning", _payload, true, now);
        }

        return rows;
    }

    [Benchmark(Baseline = true, Description = "binary COPY batch (store path)")]
    public Task BinaryCopyBatchAsync() => _copy!.WriteBatchAsync(NewRows(), new HashSet<string>(), CancellationToken.None);

    [Benchmark(Description = "multi-row INSERT, one transaction")]
    public async Task MultiRowInsertAsync()
    {
        var rows = NewRows();
        await using var connection = await _dataSource!.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        var sql = new System.Text.StringBuilder($"INSERT INTO {_table} ({CopyBatchWriter.Columns}) VALUES ");
        for (var i = 0; i < rows.Length; i++)
        {
            sql.Append(i == 0 ? string.Empty : ",").Append($"(@i{i},@s{i},@c{i},@m{i},@o{i},@t{i},@p{i},@e{i},@d{i})");
            AddRow(command, rows[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        command.CommandText = sql.Append(" ON CONFLICT (id) DO NOTHING").ToString();
        await command.ExecuteNonQueryAsync();
    }

    [Benchmark(Description = "one autocommitted INSERT per row")]
    public async Task InsertPerRowAsync()
    {
        var rows = NewRows();
        await using var connection = await _dataSource!.OpenConnectionAsync();
        foreach (var row in rows)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO {_table} ({CopyBatchWriter.Columns}) VALUES (@i,@s,@c,@m,@o,@t,@p,@e,@d) ON CONFLICT (id) DO NOTHING";
            AddRow(command, row, string.Empty);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static void AddRow(NpgsqlCommand command, ArtifactRecord row, string suffix)
    {
        command.Parameters.Add(new NpgsqlParameter("i" + suffix, NpgsqlDbType.Text) { Value = row.Id });
        command.Parameters.Add(new NpgsqlParameter("s" + suffix, NpgsqlDbType.Text) { Value = row.Scope });
        command.Parameters.Add(new NpgsqlParameter("c" + suffix, NpgsqlDbType.Text) { Value = row.ChatId });
        command.Parameters.Add(new NpgsqlParameter("m" + suffix, NpgsqlDbType.Text) { Value = row.MessageId });
        command.Parameters.Add(new NpgsqlParameter("o" + suffix, NpgsqlDbType.Text) { Value = row.ModelId });
        command.Parameters.Add(new NpgsqlParameter("t" + suffix, NpgsqlDbType.Text) { Value = row.ItemType });
        command.Parameters.Add(new NpgsqlParameter("p" + suffix, NpgsqlDbType.Json) { Value = row.Payload });
        command.Parameters.Add(new NpgsqlParameter("e" + suffix, NpgsqlDbType.Boolean) { Value = row.IsEncrypted });
        command.Parameters.Add(new NpgsqlParameter("d" + suffix, NpgsqlDbType.TimestampTz) { Value = row.CreatedAt.UtcDateTime });
    }
}
