using AotPipe.Persistence;

namespace AotPipe.Tests.Persistence;

/// <summary>An in-memory sink: a dictionary as the table, switchable outage, poison ids and one lost acknowledgement.</summary>
internal sealed class FakeBatchSink : IArtifactBatchSink
{
    private readonly Lock _lock = new();

    public Dictionary<string, ArtifactRecord> Rows { get; } = new(StringComparer.Ordinal);

    public HashSet<string> PoisonIds { get; } = new(StringComparer.Ordinal);

    public volatile bool IsDown;

    public volatile bool LoseNextAcknowledgement;

    public int Transactions;

    public int Attempts;

    public string Name => "fake";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public Task WriteBatchAsync(IReadOnlyList<ArtifactRecord> rows, ISet<string> conflicts, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Attempts);
        if (IsDown)
        {
            throw new IOException("database down");
        }

        lock (_lock)
        {
            if (rows.Any(r => PoisonIds.Contains(r.Id)))
            {
                throw new FormatException("poison row");
            }

            foreach (var row in rows)
            {
                if (Rows.TryGetValue(row.Id, out var existing))
                {
                    if (existing.Payload != row.Payload || existing.Scope != row.Scope || existing.ChatId != row.ChatId)
                    {
                        conflicts.Add(row.Id);
                    }

                    continue;
                }

                Rows[row.Id] = row;
            }

            Transactions++;
        }

        if (LoseNextAcknowledgement)
        {
            // Committed, but the client never hears it: the retry must be absorbed by the idempotent insert.
            LoseNextAcknowledgement = false;
            throw new IOException("connection reset after commit");
        }

        return Task.CompletedTask;
    }

    public bool IsRowFailure(Exception exception) => exception is FormatException;

    public void ResetConnections()
    {
    }

    public string Describe(Exception exception) => exception.GetType().Name;
}
