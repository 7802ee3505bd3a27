using AotPipe.Persistence;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class SpillJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aotpipe-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static ArtifactRecord Row(string id, string? scope = "t/u", string payload = "{\"a\":1}") =>
        new(id, scope, "chat-1", "msg-1", scope is null ? null : "model/x", "reasoning", payload, true, new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));

    [Fact]
    public void Append_ThenReadAll_RoundTripsEveryField()
    {
        var journal = new SpillJournal(Path.Combine(_dir, "j"), long.MaxValue);
        var rows = new[] { Row("A1", payload: "{\"ü\":\"😀\"}"), Row("A2", scope: null) };
        Assert.True(journal.TryAppend(rows));
        Assert.Equal(2, journal.PendingRecords);

        var reopened = new SpillJournal(Path.Combine(_dir, "j"), long.MaxValue);
        Assert.Equal(2, reopened.PendingRecords);
        Assert.Equal(rows, reopened.ReadAll(out var corrupt));
        Assert.Equal(0, corrupt);
    }

    [Fact]
    public void ReadAll_TornTail_KeepsCompleteRecordsAndSavesTail()
    {
        var path = Path.Combine(_dir, "j");
        var journal = new SpillJournal(path, long.MaxValue);
        journal.TryAppend([Row("A1")]);
        var firstLength = new FileInfo(path).Length;
        journal.TryAppend([Row("A2")]);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 3);
        }

        var rows = new SpillJournal(path, long.MaxValue).ReadAll(out var corrupt);
        Assert.Equal(["A1"], rows.Select(r => r.Id));
        Assert.Equal(new FileInfo(path).Length - firstLength, corrupt);
        Assert.Equal(corrupt, new FileInfo(path + ".corrupt").Length);
    }

    [Fact]
    public void ReadAll_FlippedByte_ChecksumStopsThere()
    {
        var path = Path.Combine(_dir, "j");
        var journal = new SpillJournal(path, long.MaxValue);
        journal.TryAppend([Row("A1"), Row("A2")]);
        var bytes = File.ReadAllBytes(path);
        bytes[^2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        Assert.Equal(["A1"], journal.ReadAll(out _).Select(r => r.Id));
    }

    [Fact]
    public void TryAppend_AtCap_Accepted_OnePastCap_Refused()
    {
        var probe = new SpillJournal(Path.Combine(_dir, "probe"), long.MaxValue);
        probe.TryAppend([Row("A1")]);
        var size = probe.Length;

        var atCap = new SpillJournal(Path.Combine(_dir, "at"), size);
        Assert.True(atCap.TryAppend([Row("A1")]));
        var pastCap = new SpillJournal(Path.Combine(_dir, "past"), size - 1);
        Assert.False(pastCap.TryAppend([Row("A1")]));
        Assert.Equal(0, pastCap.Length);
    }

    [Fact]
    public void Clear_EmptiesJournal()
    {
        var journal = new SpillJournal(Path.Combine(_dir, "j"), long.MaxValue);
        journal.TryAppend([Row("A1")]);
        journal.Clear();
        Assert.Equal(0, journal.PendingRecords);
        Assert.Empty(journal.ReadAll(out _));
    }
}
