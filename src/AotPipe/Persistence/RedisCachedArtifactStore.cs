using System.Text;
using System.Text.Json;
using AotPipe.Diagnostics;
using AotPipe.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AotPipe.Persistence;

/// <summary>
/// Optional read cache in front of the artifact store (<c>REDIS_URL</c>). The store stays the source of truth: writes
/// go to it first and are cached afterwards, reads try the cache and fetch only the misses. Keys carry the pipe id, the
/// table's key hash and the caller's scope, so tenants and pipes never share an entry; only encrypted rows are cached,
/// exactly as stored. Any Redis failure or timeout is counted and logged (at most once per <see cref="LogInterval"/>)
/// and the request continues against the store.
/// </summary>
internal sealed class RedisCachedArtifactStore : IArtifactStore
{
    /// <summary>Longest wait for one cache call (connect included); past it the request goes to the store.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>Shortest interval between two log lines about cache failures.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    /// <summary>First segment of every cache key.</summary>
    public const string KeyPrefix = "aotpipe";

    /// <summary>Milliseconds the client waits for a connection in the background before it retries.</summary>
    public const int ConnectTimeoutMilliseconds = 2_000;

    private readonly IArtifactStore _inner;
    private readonly ConfigurationOptions _options;
    private readonly string _keyPrefix;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _connectLock = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private long _lastLogTimestamp;
    private bool _hasLogged;

    /// <summary>Wraps <paramref name="inner"/>; no connection is made until the first read or write.</summary>
    public RedisCachedArtifactStore(IArtifactStore inner, ConfigurationOptions options, string pipeId, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _inner = inner;
        _options = options.Clone();
        _options.AbortOnConnectFail = false;
        _options.ConnectTimeout = ConnectTimeoutMilliseconds;
        _options.SyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        _options.AsyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        _options.BacklogPolicy = BacklogPolicy.FailFast;
        _options.ClientName ??= "aotpipe";
        _keyPrefix = KeyPrefix + ":" + Escape(pipeId) + ":" + inner.Table.Hash8 + ":";
        _ttl = ttl;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public ArtifactTableName Table => _inner.Table;

    /// <inheritdoc />
    public PersistenceCounters Counters => _inner.Counters;

    /// <summary>Cache hits, misses and errors for metrics.</summary>
    public RedisCacheCounters Cache { get; } = new();

    /// <summary>The cache key of one row: <c>aotpipe:{pipeId}:{hash8}:{scope}:{chatId}:{id}</c>, with <c>%</c> and
    /// <c>:</c> inside each part percent-encoded so that no two (scope, chat, id) triples share a key.</summary>
    public string KeyFor(string scope, string chatId, string id) => _keyPrefix + Escape(scope) + ":" + Escape(chatId) + ":" + Escape(id);

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken) => _inner.InitializeAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask<ArtifactWriteResult> AppendAsync(ArtifactRecord record, CancellationToken cancellationToken)
    {
        // Durability comes from the store; the cache only learns about rows the store has acknowledged.
        var result = await _inner.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        if (result is ArtifactWriteResult.Committed or ArtifactWriteResult.Spilled && record.IsEncrypted && record.Scope is { } scope)
        {
            var database = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
            if (database is not null)
            {
                try
                {
                    await database.StringSetAsync(KeyFor(scope, record.ChatId, record.Id), Serialize(record), _ttl)
                        .WaitAsync(OperationTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsCacheFailure(ex, cancellationToken))
                {
                    Fail(ex);
                }
            }
        }

        return result;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ArtifactRecord>> ScanAsync(string? afterId, int limit, CancellationToken cancellationToken)
        => _inner.ScanAsync(afterId, limit, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactRecord>> FetchAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return await _inner.FetchAsync(scope, chatId, ids, cancellationToken).ConfigureAwait(false);
        }

        var database = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (database is null)
        {
            return await _inner.FetchAsync(scope, chatId, ids, cancellationToken).ConfigureAwait(false);
        }

        var idList = ids as IReadOnlyList<string> ?? [.. ids];
        var keys = new RedisKey[idList.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyFor(scope, chatId, idList[i]);
        }

        RedisValue[] values;
        try
        {
            values = await database.StringGetAsync(keys).WaitAsync(OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCacheFailure(ex, cancellationToken))
        {
            Fail(ex);
            return await _inner.FetchAsync(scope, chatId, ids, cancellationToken).ConfigureAwait(false);
        }

        var found = new List<ArtifactRecord>(idList.Count);
        List<string>? missing = null;
        for (var i = 0; i < idList.Count; i++)
        {
            if (TryDeserialize(values[i], idList[i], chatId, out var record))
            {
                found.Add(record);
            }
            else
            {
                (missing ??= []).Add(idList[i]);
            }
        }

        Cache.AddHits(found.Count);
        if (missing is null)
        {
            return found;
        }

        Cache.AddMisses(missing.Count);
        var rows = await _inner.FetchAsync(scope, chatId, missing, cancellationToken).ConfigureAwait(false);
        await WriteBackAsync(database, scope, chatId, rows, cancellationToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            return rows;
        }

        found.AddRange(rows);
        return found;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string scope, string chatId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await _inner.DeleteAsync(scope, chatId, ids, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return;
        }

        var database = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        if (database is null)
        {
            return;
        }

        var keys = new RedisKey[ids.Count];
        var i = 0;
        foreach (var id in ids)
        {
            keys[i++] = KeyFor(scope, chatId, id);
        }

        try
        {
            await database.KeyDeleteAsync(keys).WaitAsync(OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCacheFailure(ex, cancellationToken))
        {
            Fail(ex);
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
        => _inner.DeleteOlderThanAsync(cutoff, batchSize, cancellationToken);

    /// <inheritdoc />
    public StoreHealth GetHealth() => _inner.GetHealth();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        Task<ConnectionMultiplexer>? connecting;
        lock (_connectLock)
        {
            connecting = _connecting;
            _connecting = null;
        }

        if (connecting is not null)
        {
            // A connect still in flight is awaited too, so no socket outlives the gateway.
            try
            {
                // A hanging server must not hold up shutdown: close without waiting for queued commands.
                var multiplexer = await connecting.ConfigureAwait(false);
                await multiplexer.CloseAsync(allowCommandsToComplete: false).WaitAsync(OperationTimeout).ConfigureAwait(false);
                await multiplexer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsCacheFailure(ex, CancellationToken.None))
            {
                // Nothing was connected, so nothing is left to close.
            }
        }
    }

    private static byte[] Serialize(ArtifactRecord record)
        => JsonSerializer.SerializeToUtf8Bytes(record, ArtifactCacheJsonContext.Default.ArtifactRecord);

    private static bool TryDeserialize(RedisValue value, string id, string chatId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ArtifactRecord? record)
    {
        record = null;
        if (value.IsNull)
        {
            return false;
        }

        try
        {
            record = JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)value).Span, ArtifactCacheJsonContext.Default.ArtifactRecord);
        }
        catch (JsonException)
        {
            return false;
        }

        // The key already names the row; a value that disagrees with it (or is not sealed) is ignored, not trusted.
        return record is { IsEncrypted: true } && record.Id == id && record.ChatId == chatId;
    }

    /// <summary>Every failure of the cache degrades to the store; only the caller's own cancellation propagates.</summary>
    private static bool IsCacheFailure(Exception exception, CancellationToken cancellationToken)
        => exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested;

    private static string Escape(string part)
    {
        if (part.AsSpan().IndexOfAny(':', '%') < 0)
        {
            return part;
        }

        var text = new StringBuilder(part.Length + 8);
        foreach (var c in part)
        {
            _ = c switch
            {
                ':' => text.Append("%3A"),
                '%' => text.Append("%25"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }

    private async Task WriteBackAsync(IDatabase database, string scope, string chatId, IReadOnlyList<ArtifactRecord> rows, CancellationToken cancellationToken)
    {
        List<Task>? writes = null;
        foreach (var row in rows)
        {
            if (row.IsEncrypted && row.ChatId == chatId)
            {
                (writes ??= []).Add(database.StringSetAsync(KeyFor(scope, chatId, row.Id), Serialize(row), _ttl));
            }
        }

        if (writes is null)
        {
            return;
        }

        try
        {
            await Task.WhenAll(writes).WaitAsync(OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCacheFailure(ex, cancellationToken))
        {
            Fail(ex);
        }
    }

    /// <summary>The database when the cache is connected; null (after counting the failure) when it is not.</summary>
    private async ValueTask<IDatabase?> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        Task<ConnectionMultiplexer> connecting;
        lock (_connectLock)
        {
            if (_connecting is null or { IsFaulted: true } or { IsCanceled: true })
            {
                // The first use connects; the client then reconnects in the background on its own.
                _connecting = ConnectionMultiplexer.ConnectAsync(_options);
            }

            connecting = _connecting;
        }

        try
        {
            var multiplexer = await connecting.WaitAsync(OperationTimeout, cancellationToken).ConfigureAwait(false);
            if (multiplexer.IsConnected)
            {
                return multiplexer.GetDatabase();
            }

            Fail("not connected");
            return null;
        }
        catch (Exception ex) when (IsCacheFailure(ex, cancellationToken))
        {
            Fail(ex);
            return null;
        }
    }

    private void Fail(Exception exception) => Fail(Describe(exception));

    private void Fail(string description)
    {
        var errors = Cache.AddError();
        var now = _time.GetTimestamp();
        lock (_connectLock)
        {
            if (_hasLogged && _time.GetElapsedTime(_lastLogTimestamp, now) < LogInterval)
            {
                return;
            }

            _hasLogged = true;
            _lastLogTimestamp = now;
        }

        CacheLog.Degraded(_logger, errors, description);
    }

    private string Describe(Exception exception)
    {
        var message = exception.GetType().Name + ": " + exception.Message;
        return string.IsNullOrEmpty(_options.Password) ? message : message.Replace(_options.Password, "*****", StringComparison.Ordinal);
    }
}
