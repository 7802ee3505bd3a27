using AotPipe.Cli;
using AotPipe.SessionLogs;
using AotPipe.Tests.SessionLogs;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.Cli;

public sealed class SessionLogExtractCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aotpipe-extract-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string WriteArchive(string password)
    {
        var options = new SessionLogOptions(true, _root, password, SessionLogFormat.Both, 100, 90, 3600);
        var writer = new SessionLogArchiveWriter(options, new FakeTimeProvider(), new CollectingLogger());
        return writer.Write(new SessionLogIds("u", null, "c", "m", "r"), SessionLogArchiveWriterTests.Events("r", 3))!;
    }

    [Fact]
    public async Task RightPassword_ExtractsEveryEntry()
    {
        string zip = WriteArchive("pw");
        string outDir = Path.Combine(_root, "out");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await SessionLogExtractCommand.RunAsync(zip, outDir, "pw", stdout, stderr));
        Assert.Equal(["logs.jsonl", "logs.txt", "meta.json"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("event 2", await File.ReadAllTextAsync(Path.Combine(outDir, "logs.jsonl"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(3, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task NoOutDir_ExtractsBesideTheArchive()
    {
        string zip = WriteArchive("pw");
        Assert.Equal(0, await SessionLogExtractCommand.RunAsync(zip, null, "pw", TextWriter.Null, TextWriter.Null));
        Assert.True(File.Exists(Path.Combine(Path.ChangeExtension(zip, null), "meta.json")));
    }

    [Fact]
    public async Task WrongPassword_Exits1()
    {
        string zip = WriteArchive("pw");
        using var stderr = new StringWriter();
        Assert.Equal(1, await SessionLogExtractCommand.RunAsync(zip, Path.Combine(_root, "out"), "nope", TextWriter.Null, stderr));
        Assert.Contains("wrong password", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public async Task MissingArchiveOrPassword_Exits2()
    {
        Assert.Equal(2, await SessionLogExtractCommand.RunAsync(Path.Combine(_root, "missing.zip"), null, "pw", TextWriter.Null, TextWriter.Null));
        string zip = WriteArchive("pw");
        Assert.Equal(2, await SessionLogExtractCommand.RunAsync(zip, null, null, TextWriter.Null, TextWriter.Null));
    }
}
