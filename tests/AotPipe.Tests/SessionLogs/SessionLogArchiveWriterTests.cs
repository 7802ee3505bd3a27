using System.Text;
using System.Text.Json;
using AotPipe.SessionLogs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AotPipe.Tests.SessionLogs;

public sealed class SessionLogArchiveWriterTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aotpipe-sessionlogs-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private SessionLogOptions Options(SessionLogFormat format = SessionLogFormat.Jsonl, string? password = Password) =>
        new(true, _root, password, format, 20000, 90, 3600);

    private SessionLogArchiveWriter Writer(SessionLogFormat format = SessionLogFormat.Jsonl, string? password = Password) =>
        new(Options(format, password), _time, new CollectingLogger());

    internal static SessionLogEvent[] Events(string requestId, int count, int firstSequence = 0, string text = "event") =>
        Enumerable.Range(firstSequence, count)
            .Select(i => new SessionLogEvent(
                new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero).AddMilliseconds(i * 10 + 1),
                i % 5 == 4 ? LogLevel.Error : LogLevel.Information,
                "AotPipe.Streaming.Relay",
                "RelayEvent",
                4000 + i,
                text + " " + i + " ü …[REDACTED](300 chars)…",
                i % 5 == 4 ? "System.IO.IOException: reset" : null,
                requestId,
                i))
            .ToArray();

    private static Dictionary<string, byte[]> Read(string path, string password = Password)
    {
        using var stream = File.OpenRead(path);
        return SessionLogArchiveWriter.ReadEntries(stream, password);
    }

    private static string[] JsonlLines(Dictionary<string, byte[]> entries) =>
        Encoding.UTF8.GetString(entries[SessionLogArchiveWriter.JsonlEntryName]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Write_CreatesArchiveAtSanitisedPathWithMetaAndOrderedKeys()
    {
        var ids = new SessionLogIds("user/1", "sess-1", "chat 1", "msg-1", "req-1");
        string path = Writer().Write(ids, Events("req-1", 5))!;
        Assert.Equal(Path.Combine(_root, "user_1", "chat_1", "msg-1.zip"), path);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));

        var entries = Read(path);
        Assert.Equal(["logs.jsonl", "meta.json"], entries.Keys.Order(StringComparer.Ordinal));
        using var meta = JsonDocument.Parse(entries["meta.json"]);
        Assert.Equal(["created_at", "ids", "request_id", "request_ids", "log_format"], meta.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-11-27T10:00:00.000Z", meta.RootElement.GetProperty("created_at").GetString());
        Assert.Equal("user/1", meta.RootElement.GetProperty("ids").GetProperty("user_id").GetString());
        Assert.Equal("chat 1", meta.RootElement.GetProperty("ids").GetProperty("chat_id").GetString());
        Assert.Equal("jsonl", meta.RootElement.GetProperty("log_format").GetString());

        string[] lines = JsonlLines(entries);
        Assert.Equal(5, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(
            ["ts", "level", "logger", "request_id", "user_id", "session_id", "chat_id", "message_id", "event_type", "module", "func", "lineno", "message", "seq"],
            first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-11-27T10:00:00.001Z", first.RootElement.GetProperty("ts").GetString());
        Assert.Equal("INFO", first.RootElement.GetProperty("level").GetString());
        Assert.Equal("AotPipe.Streaming.Relay", first.RootElement.GetProperty("module").GetString());
        Assert.Equal("RelayEvent", first.RootElement.GetProperty("func").GetString());
        Assert.Equal(4000, first.RootElement.GetProperty("lineno").GetInt32());
        Assert.Contains("ü …[REDACTED](300 chars)…", lines[0], StringComparison.Ordinal);
        using var withException = JsonDocument.Parse(lines[4]);
        Assert.Equal(
            ["ts", "level", "logger", "request_id", "user_id", "session_id", "chat_id", "message_id", "event_type", "module", "func", "lineno", "exception", "message", "seq"],
            withException.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("System.IO.IOException: reset", withException.RootElement.GetProperty("exception").GetProperty("text").GetString());
    }

    [Fact]
    public void Write_TextFormat_AddsLogsTxt()
    {
        string path = Writer(SessionLogFormat.Both).Write(new SessionLogIds("u", null, "c", "m", "r"), Events("r", 5))!;
        var entries = Read(path);
        string text = Encoding.UTF8.GetString(entries["logs.txt"]);
        Assert.StartsWith("2026-11-27T10:00:00.001Z INFO     AotPipe.Streaming.Relay [r] event 0", text, StringComparison.Ordinal);
        Assert.Contains("System.IO.IOException: reset", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Inactive_WritesNothing()
    {
        Assert.Null(Writer(password: null).Write(new SessionLogIds("u", null, "c", "m", "r"), Events("r", 1)));
        Assert.False(Directory.Exists(_root));
    }

    [Fact]
    public void Write_SameMessageTwice_MergesAndDeduplicatesByRequestAndSequence()
    {
        var writer = Writer();
        var ids1 = new SessionLogIds("u", "s", "c", "m", "req-1");
        var ids2 = new SessionLogIds("u", null, "c", "m", "req-2");
        writer.Write(ids1, Events("req-1", 3));
        _time.Advance(TimeSpan.FromMinutes(5));
        writer.Write(ids2, Events("req-2", 2, text: "second"));
        string path = writer.Write(ids1, Events("req-1", 5))!;

        var entries = Read(path);
        string[] lines = JsonlLines(entries);
        Assert.Equal(7, lines.Length);
        var keys = lines.Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            return (document.RootElement.GetProperty("request_id").GetString(), document.RootElement.GetProperty("seq").GetInt64());
        }).ToList();
        Assert.Equal(7, keys.Distinct().Count());
        Assert.Equal(5, keys.Count(k => k.Item1 == "req-1"));

        using var meta = JsonDocument.Parse(entries["meta.json"]);
        Assert.Equal("2026-11-27T10:00:00.000Z", meta.RootElement.GetProperty("created_at").GetString());
        Assert.Equal(["req-1", "req-2"], meta.RootElement.GetProperty("request_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("s", meta.RootElement.GetProperty("ids").GetProperty("session_id").GetString());
    }

    [Fact]
    public void Write_ExistingArchiveWithOtherPassword_IsKeptAside()
    {
        var ids = new SessionLogIds("u", null, "c", "m", "r1");
        string path = Writer(password: "old password").Write(ids, Events("r1", 2))!;
        _time.Advance(TimeSpan.FromSeconds(1));
        Writer().Write(ids with { RequestId = "r2" }, Events("r2", 2));

        Assert.Equal(2, JsonlLines(Read(path)).Length);
        string aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "m.unreadable-*.zip"));
        Assert.Equal(2, JsonlLines(Read(aside, "old password")).Length);
    }

    [Fact]
    public void SevenZip_RightPassword_ExtractsSameContent_WrongPasswordFails_AndReportsAes256()
    {
        string path = Writer(SessionLogFormat.Both).Write(new SessionLogIds("u", "s", "c", "m", "r"), Events("r", 20))!;
        var entries = Read(path);

        var (testCode, testOutput) = SevenZip.Run("t", "-p" + Password, path);
        Assert.True(testCode == 0, testOutput);

        foreach (var (name, content) in entries)
        {
            var (code, output) = SevenZip.Run("e", "-so", "-p" + Password, path, name);
            Assert.True(code == 0, output);
            Assert.StartsWith(Encoding.UTF8.GetString(content), output, StringComparison.Ordinal);
        }

        var (wrongCode, wrongOutput) = SevenZip.Run("t", "-pwrong", path);
        Assert.True(wrongCode == 2, wrongOutput);

        var (listCode, listing) = SevenZip.Run("l", "-slt", "-p" + Password, path);
        Assert.Equal(0, listCode);
        Assert.Equal(3, listing.Split('\n').Count(line => line.StartsWith("Method = AES-256", StringComparison.Ordinal)));
        Assert.Contains("WzAES", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentWrites_200Archives_EachCompleteAndSeparate()
    {
        var writer = Writer();
        var paths = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(
            () => writer.Write(new SessionLogIds("user" + (i % 7), null, "chat" + (i % 13), "msg" + i, "req" + i), Events("req" + i, 3, text: "archive " + i))!,
            TestContext.Current.CancellationToken)));

        Assert.Equal(200, paths.Distinct().Count());
        for (int i = 0; i < paths.Length; i++)
        {
            string[] lines = JsonlLines(Read(paths[i]));
            Assert.Equal(3, lines.Length);
            Assert.All(lines, line => Assert.Contains("\"archive " + i + " ", line, StringComparison.Ordinal));
        }

        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ConcurrentWrites_SameMessage_AllEventsMerged()
    {
        var writer = Writer();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            () => writer.Write(new SessionLogIds("u", null, "c", "m", "req" + i), Events("req" + i, 2)),
            TestContext.Current.CancellationToken)));
        Assert.True(SessionLogPaths.TryGetArchivePath(_root, new SessionLogIds("u", null, "c", "m", "x"), out string path));
        Assert.Equal(40, JsonlLines(Read(path)).Length);
    }
}
