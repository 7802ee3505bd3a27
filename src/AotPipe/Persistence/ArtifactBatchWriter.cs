using System.Threading.Channels;
using AotPipe.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AotPipe.Persistence;

/// <summary>
/// Group commit with no loss (SECURITY.md section 5.3): a bounded channel drained by one consumer into batch
/// transactions; failed batches are retried with backoff on a fresh connection, spilled to an fsynced local journal when
/// the database stays down, replayed on recovery and at start-up, and a row the database refuses is isolated by halving
/// the batch and quarantined while the rest commits.
/// </summary>
internal sealed class ArtifactBatchWriter : IAsyncDisposable
{
    private readonly IArtifactBatchSink _sink;
    private readonly ArtifactStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PersistenceCounters _counters;
    private readonly Channel<PendingAppend> _channel;
    private readonly SpillJournal _journal;
    private readonly SpillJournal _quarantine;
    private Task? _consumer;
    private volatile bool _stopping;
    private volatile bool _databaseDown;
    private volatile bool _spillRefused;
    private volatile string? _lastError;
    private TimeSpan _probeDelay;
    private long _nextProbe;

    /// <summary>Creates the writer; the journal files live in <c>{DataDirectory}/spill/{table}.journal|.quarantine</c>.</summary>
    public ArtifactBatchWriter(IArtifactBatchSink sink, ArtifactTableName table, ArtifactStoreOptions options, TimeProvider time, ILogger logger, PersistenceCounters counters)
    {
        _sink = sink;
        _options = options;
        _time = time;
        _logger = logger;
        _counters = counters;
        _channel = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var spillDirectory = Path.Combine(options.DataDirectory, "spill");
        _journal = new SpillJournal(Path.Combine(spillDirectory, table.Name + ".journal"), options.MaxSpillBytes);
        _quarantine = new SpillJournal(Path.Combine(spillDirectory, table.Name + ".quarantine"), long.MaxValue);
        _probeDelay = options.RetryInitialDelay;
    }

    /// <summary>Test seam: awaited by the consumer before each batch (1-based number, row count), so a test can stop the
    /// database at an exact point between batches.</summary>
    internal Func<int, int, ValueTask>? BeforeBatchAsync { get; set; }

    /// <summary>Raised on the consumer after the journal was replayed and emptied (argument: rows replayed).</summary>
    internal event Action<int>? JournalReplayed;

    /// <summary>Rows waiting in the queue.</summary>
    public int QueuedRows => _channel.Reader.Count;

    /// <summary>The spill journal.</summary>
    public SpillJournal Journal => _journal;

    /// <summary>The quarantine file.</summary>
    public SpillJournal Quarantine => _quarantine;

    /// <summary>Readiness: healthy, spilling (still durable), or not durable.</summary>
    public StoreState State =>
        _consumer is null || _spillRefused ? StoreState.Unhealthy : _databaseDown ? StoreState.Degraded : StoreState.Healthy;

    /// <summary>Last failure description, or null.</summary>
    public string? LastError => _lastError;

    /// <summary>Replays rows left in the journal by an earlier run (one attempt), then starts the consumer.</summary>
    public async Task StartAsync()
    {
        if (_journal.PendingRecords > 0)
        {
            await TryReplayAsync();
        }

        _consumer = Task.Run(RunAsync);
    }

    /// <summary>Queues a row; completes when the row is durable or refused.</summary>
    public async ValueTask<ArtifactWriteResult> AppendAsync(ArtifactRecord record, CancellationToken cancellationToken)
    {
        var pending = PendingAppend.ForCaller(record);
        if (!_channel.Writer.TryWrite(pending))
        {
            try
            {
                await _channel.Writer.WriteAsync(pending, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(ArtifactBatchWriter));
            }
        }

        return await pending.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Stops accepting rows and drains the queue: rows are committed, or spilled at once if the database fails.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _channel.Writer.TryComplete();
        if (_consumer is not null)
        {
#pragma warning disable VSTHRD003 // The consumer is this object's own task, started in StartAsync; awaiting it is the drain.
            await _consumer;
#pragma warning restore VSTHRD003
        }

        await _sink.DisposeAsync();
    }

    /// <remarks>
    /// Step map: 1 while the journal holds rows, probe the database on a backoff cadence and replay; 2 wait for rows (or
    /// the next probe); 3 take the queued rows, up to the size (group commit: no wait for more); 4 write it (or spill it straight away while the
    /// database is known to be down).
    /// </remarks>
    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<PendingAppend>(_options.BatchSize);
        var batchNumber = 0;
        while (true)
        {
            // :: Step 1
            if (_journal.PendingRecords > 0 && !_stopping && _time.GetTimestamp() >= _nextProbe)
            {
                await TryReplayAsync();
            }

            // :: Step 2
            bool hasRows;
            if (_journal.PendingRecords > 0 && !_stopping)
            {
                var untilProbe = _time.GetElapsedTime(_time.GetTimestamp(), _nextProbe);
                using var probe = new CancellationTokenSource(untilProbe > TimeSpan.Zero ? untilProbe : TimeSpan.Zero, _time);
                try
                {
                    hasRows = await reader.WaitToReadAsync(probe.Token);
                }
                catch (OperationCanceledException)
                {
                    continue;
                }
            }
            else
            {
                hasRows = await reader.WaitToReadAsync();
            }

            if (!hasRows)
            {
                return;
            }

            // :: Step 3
            FillBatch(reader, batch);
            batchNumber++;
            try
            {
                if (BeforeBatchAsync is { } hook)
                {
                    await hook(batchNumber, batch.Count);
                }

                // :: Step 4
                if (_databaseDown && !_stopping)
                {
                    Spill(batch);
                }
                else if (!await WriteWithRetryAsync(batch, _stopping ? TimeSpan.Zero : _options.SpillAfter))
                {
                    Spill(batch);
                }
            }
            catch (Exception ex)
            {
                // The loop must outlive any bug: the rows of this batch are reported as not durable, never lost silently.
                PersistenceLog.WriterFault(_logger, ex);
                ResolveRemaining(batch, ArtifactWriteResult.Unavailable);
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// Classic group commit: take every queued row (up to <see cref="ArtifactStoreOptions.BatchSize"/>) and flush at once.
    /// Rows that arrive while a flush is in flight queue up and form the next batch, so batches grow with the load
    /// without any caller waiting for a timer. The window (<c>DB_BATCH_WINDOW_MS</c>) stays an upper bound: while rows
    /// keep arriving as fast as they are taken, filling stops once the window has passed since the batch began.
    /// </summary>
    /// <remarks>The previous policy waited out the whole window whenever the queue ran dry, which added the window (plus
    /// timer slack) to every acknowledgement at low load: 8.1 ms for one caller instead of 1.2 ms (perf-reports/persistence.md).</remarks>
    private void FillBatch(ChannelReader<PendingAppend> reader, List<PendingAppend> batch)
    {
        var max = _options.BatchSize;
        var started = _time.GetTimestamp();
        while (batch.Count < max && reader.TryRead(out var item))
        {
            batch.Add(item);
            if (_time.GetElapsedTime(started) >= _options.BatchWindow && _options.BatchWindow > TimeSpan.Zero)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Writes a segment, retrying connection failures with backoff for up to <paramref name="retryBudget"/>; halves it
    /// on a row failure. Returns false when the database stayed unreachable: the unresolved rows must be spilled.
    /// </summary>
    private async Task<bool> WriteWithRetryAsync(List<PendingAppend> segment, TimeSpan retryBudget)
    {
        var started = _time.GetTimestamp();
        var delay = _options.RetryInitialDelay;
        var attempt = 0;
        while (true)
        {
            attempt++;
            var failure = await TryWriteAsync(segment);
            if (failure is null)
            {
                return true;
            }

            if (_sink.IsRowFailure(failure))
            {
                if (segment.Count == 1)
                {
                    QuarantineRow(segment[0], failure);
                    return true;
                }

                var half = segment.Count / 2;
                return await WriteWithRetryAsync(segment[..half], retryBudget)
                    && await WriteWithRetryAsync(segment[half..], retryBudget);
            }

            _counters.AddRetry();
            _sink.ResetConnections();
            if (_stopping || _time.GetElapsedTime(started) + delay > retryBudget)
            {
                return false;
            }

            PersistenceLog.BatchRetry(_logger, segment.Count, _sink.Name, attempt, _lastError ?? string.Empty, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time);
            delay = Min(delay * 2, _options.RetryMaxDelay);
        }
    }

    private async Task<Exception?> TryWriteAsync(List<PendingAppend> segment)
    {
        var rows = new ArtifactRecord[segment.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = segment[i].Record;
        }

        var conflicts = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await _sink.WriteBatchAsync(rows, conflicts, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _lastError = _sink.Describe(ex);
            return ex;
        }

        _counters.AddBatch(segment.Count);
        foreach (var pending in segment)
        {
            if (!conflicts.Contains(pending.Record.Id))
            {
                pending.Resolve(ArtifactWriteResult.Committed);
                continue;
            }

            _counters.AddIdConflict();
            PersistenceLog.IdConflict(_logger, pending.Record.Id);
            if (pending.IsReplay)
            {
                // The caller was acknowledged when the row was spilled and cannot pick a new id any more: keep the row.
                QuarantineRow(pending, new InvalidOperationException("id conflict"));
            }
            else
            {
                pending.Resolve(ArtifactWriteResult.IdConflict);
            }
        }

        return null;
    }

    private void QuarantineRow(PendingAppend pending, Exception failure)
    {
        _counters.AddQuarantined();
        var reason = failure is InvalidOperationException ? "id conflict" : _sink.Describe(failure);
        try
        {
            _quarantine.TryAppend([pending.Record]);
        }
        catch (IOException ex)
        {
            PersistenceLog.WriterFault(_logger, ex);
        }

        PersistenceLog.Quarantined(_logger, pending.Record.Id, _sink.Name, reason, _quarantine.FilePath);
        pending.Resolve(ArtifactWriteResult.Rejected);
    }

    private void Spill(List<PendingAppend> batch)
    {
        var rows = new List<ArtifactRecord>(batch.Count);
        foreach (var pending in batch)
        {
            if (!pending.IsResolved)
            {
                rows.Add(pending.Record);
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        _databaseDown = true;
        bool appended;
        string reason;
        try
        {
            appended = _journal.TryAppend(rows);
            reason = "journal full";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            appended = false;
            reason = ex.GetType().Name;
        }

        if (!appended)
        {
            _spillRefused = true;
            PersistenceLog.SpillFailed(_logger, rows.Count, reason);
            ResolveRemaining(batch, ArtifactWriteResult.Unavailable);
            return;
        }

        if (_nextProbe == 0 || _time.GetTimestamp() >= _nextProbe)
        {
            ScheduleProbe();
        }

        _counters.AddSpilled(rows.Count);
        PersistenceLog.Spilled(_logger, _sink.Name, rows.Count, _journal.Length);
        ResolveRemaining(batch, ArtifactWriteResult.Spilled);
    }

    /// <summary>One replay attempt: every journal row is written (in batches); the journal is emptied only when all committed.</summary>
    private async Task TryReplayAsync()
    {
        var records = _journal.ReadAll(out var corruptBytes);
        if (corruptBytes > 0)
        {
            PersistenceLog.JournalCorruptTail(_logger, _journal.FilePath, corruptBytes);
        }

        for (var start = 0; start < records.Count; start += _options.BatchSize)
        {
            var chunk = new List<PendingAppend>(Math.Min(_options.BatchSize, records.Count - start));
            for (var i = start; i < records.Count && i < start + _options.BatchSize; i++)
            {
                chunk.Add(PendingAppend.ForReplay(records[i]));
            }

            if (!await WriteWithRetryAsync(chunk, TimeSpan.Zero))
            {
                // Still down: keep every row (duplicates of the committed chunks are absorbed by the idempotent insert).
                _databaseDown = true;
                ScheduleProbe();
                return;
            }
        }

        _journal.Clear();
        _counters.AddReplayed(records.Count);
        PersistenceLog.Replayed(_logger, records.Count, _sink.Name);
        if (_databaseDown)
        {
            PersistenceLog.Recovered(_logger, _sink.Name);
        }

        _databaseDown = false;
        _spillRefused = false;
        _probeDelay = _options.RetryInitialDelay;
        JournalReplayed?.Invoke(records.Count);
    }

    private void ScheduleProbe()
    {
        var ticks = (long)(_probeDelay.TotalSeconds * _time.TimestampFrequency);
        _nextProbe = _time.GetTimestamp() + ticks;
        _probeDelay = Min(_probeDelay * 2, _options.RetryMaxDelay);
    }

    private static void ResolveRemaining(List<PendingAppend> batch, ArtifactWriteResult result)
    {
        foreach (var pending in batch)
        {
            if (!pending.IsResolved)
            {
                pending.Resolve(result);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
