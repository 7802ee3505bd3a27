using AotPipe.SessionLogs;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

public sealed class SessionLogRetentionTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aotpipe-retention-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string CreateFile(string relative, TimeSpan age)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1]);
        File.SetLastWriteTimeUtc(path, (_time.GetUtcNow() - age).UtcDateTime);
        return path;
    }

    private SessionLogRetention Retention() =>
        new(new SessionLogOptions(true, _root, "pw", SessionLogFormat.Jsonl, 100, RetentionDays: 90, CleanupIntervalSeconds: 60), _time, new CollectingLogger());

    [Fact]
    public void RunOnce_DeletesOnlyArchivesPastRetentionAndEmptyDirectories()
    {
        string atLimit = CreateFile("u1/c1/at-limit.zip", TimeSpan.FromDays(90));
        string pastLimit = CreateFile("u1/c2/past-limit.zip", TimeSpan.FromDays(90) + TimeSpan.FromSeconds(1));
        string fresh = CreateFile("u2/c3/fresh.zip", TimeSpan.FromDays(1));
        string other = CreateFile("u3/c4/notes.txt", TimeSpan.FromDays(400));

        var result = Retention().RunOnce();

        Assert.True(File.Exists(atLimit));
        Assert.False(File.Exists(pastLimit));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(other));
        Assert.False(Directory.Exists(Path.Combine(_root, "u1", "c2")));
        Assert.True(Directory.Exists(Path.Combine(_root, "u1")));
        Assert.Equal(new SessionLogRetentionResult(1, 0, 1), result);
        Assert.True(Directory.Exists(_root));
    }

    [Fact]
    public void RunOnce_DeletesLeftoverTempFilesAfterGrace()
    {
        string young = CreateFile("u/c/.m.zip.a.tmp", SessionLogRetention.TempFileGrace);
        string old = CreateFile("u/c/.m.zip.b.tmp", SessionLogRetention.TempFileGrace + TimeSpan.FromSeconds(1));
        var result = Retention().RunOnce();
        Assert.True(File.Exists(young));
        Assert.False(File.Exists(old));
        Assert.Equal(1, result.TempFiles);
    }

    [Fact]
    public void RunOnce_AfterTimePasses_DeletesWhatAged()
    {
        string archive = CreateFile("u/c/m.zip", TimeSpan.FromDays(10));
        var retention = Retention();
        Assert.Equal(0, retention.RunOnce().Archives);
        _time.Advance(TimeSpan.FromDays(81));
        Assert.Equal(new SessionLogRetentionResult(1, 0, 2), retention.RunOnce());
        Assert.False(File.Exists(archive));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public void RunOnce_MissingDirectory_DoesNothing()
    {
        Assert.Equal(default, Retention().RunOnce());
    }

    [Fact]
    public async Task RunAsync_RunsEveryInterval()
    {
        using var cancellation = new CancellationTokenSource();
        var loop = Retention().RunAsync(cancellation.Token);
        string archive = CreateFile("u/c/m.zip", TimeSpan.FromDays(91));
        Assert.True(File.Exists(archive));
        _time.Advance(TimeSpan.FromSeconds(60));
        for (int i = 0; i < 1000 && File.Exists(archive); i++)
        {
            await Task.Yield();
        }

        Assert.False(File.Exists(archive));
        await cancellation.CancelAsync();
        await loop;
    }
}
