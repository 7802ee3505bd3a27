using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AotPipe.Diagnostics;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.Zip;
using Microsoft.Extensions.Logging;

namespace AotPipe.SessionLogs;

/// <summary>
/// Writes <c>SESSION_LOG_DIR/[&lt;tenant&gt;/]&lt;user&gt;/&lt;chat&gt;/&lt;message&gt;.zip</c>: WinZip AES-256 entries
/// <c>meta.json</c>, <c>logs.jsonl</c> and, for the text formats, <c>logs.txt</c> (DESIGN.md section 4, SECURITY.md section 4).
/// </summary>
/// <remarks>
/// Steps of <see cref="Write"/>: resolve the path inside the base directory; under a per-path lock, read an existing archive
/// with the password and merge its lines, dropping new events whose (request id, sequence number) it already holds; write the
/// whole archive to a temporary file in the same directory; flush it to disk; rename it over the archive. An archive that
/// cannot be read (another password, corruption) is renamed aside, never overwritten.
/// </remarks>
internal sealed class SessionLogArchiveWriter
{
    /// <summary>Entry holding the archive's metadata.</summary>
    public const string MetaEntryName = "meta.json";

    /// <summary>Entry holding one JSON object per log event.</summary>
    public const string JsonlEntryName = "logs.jsonl";

    /// <summary>Entry holding the human-readable log, for the text formats.</summary>
    public const string TextEntryName = "logs.txt";

    /// <summary>WinZip AES key size in bits (SharpZipLib writes AE-2 with it).</summary>
    public const int AesKeySize = 256;

    /// <summary>Locks that serialise writers of the same archive; paths share a lock by hash.</summary>
    private const int LockStripeCount = 64;

    private static readonly JsonWriterOptions s_jsonOptions = new()
    {
        // Archives are read by people and tools, never embedded in HTML: keep non-ASCII and '+' readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly SessionLogOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock[] _stripes;

    /// <summary>Creates the writer.</summary>
    public SessionLogArchiveWriter(SessionLogOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _stripes = new Lock[LockStripeCount];
        for (int i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Lock();
        }
    }

    /// <summary>
    /// Writes or merges the archive of <paramref name="ids"/> with <paramref name="events"/> and returns its path, or null
    /// when archives are inactive or the path would leave the base directory.
    /// </summary>
    public string? Write(SessionLogIds ids, IReadOnlyList<SessionLogEvent> events)
    {
        if (!_options.IsActive || !SessionLogPaths.TryGetArchivePath(_options.Directory, ids, out string path))
        {
            return null;
        }

        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        lock (_stripes[(uint)StringComparer.Ordinal.GetHashCode(path) % LockStripeCount])
        {
            var archive = ReadExisting(path) ?? new ArchiveContent(FormatTimestamp(_timeProvider.GetUtcNow()));
            archive.Merge(ids, events);
            WriteAtomically(path, archive);
        }

        return path;
    }

    /// <summary>Reads every entry of an archive with <paramref name="password"/>; throws a SharpZipLib exception when it is wrong.</summary>
    public static Dictionary<string, byte[]> ReadEntries(Stream archive, string password)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var zip = new ZipFile(archive, leaveOpen: true) { Password = password };
        foreach (ZipEntry entry in zip)
        {
            if (!entry.IsFile)
            {
                continue;
            }

            using var input = zip.GetInputStream(entry);
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            entries[entry.Name] = buffer.ToArray();
        }

        return entries;
    }

    private ArchiveContent? ReadExisting(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var entries = ReadEntries(stream, _options.Password!);
            return ArchiveContent.Parse(entries);
        }
        catch (Exception exception) when (exception is SharpZipBaseException or JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException)
        {
            string aside = Path.ChangeExtension(path, null) + ".unreadable-" + _timeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + SessionLogPaths.ArchiveExtension;
            File.Move(path, aside);
            SessionLogLog.ArchiveUnreadable(_logger);
            return null;
        }
    }

    private void WriteAtomically(string path, ArchiveContent archive)
    {
        string directory = Path.GetDirectoryName(path)!;
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + SessionLogPaths.TempExtension);
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var zip = new ZipOutputStream(file) { IsStreamOwner = false, Password = _options.Password })
                {
                    var now = _timeProvider.GetUtcNow().UtcDateTime;
                    WriteEntry(zip, MetaEntryName, archive.BuildMeta(_options.FormatName), now);
                    WriteEntry(zip, JsonlEntryName, archive.BuildJsonl(), now);
                    if (_options.Format != SessionLogFormat.Jsonl)
                    {
                        WriteEntry(zip, TextEntryName, archive.BuildText(), now);
                    }

                    zip.Finish();
                }

                // Durable before it becomes visible under its final name.
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void WriteEntry(ZipOutputStream zip, string name, byte[] content, DateTime timestamp)
    {
        var entry = new ZipEntry(name) { AESKeySize = AesKeySize, DateTime = timestamp, CompressionMethod = CompressionMethod.Deflated };
        zip.PutNextEntry(entry);
        zip.Write(content, 0, content.Length);
        zip.CloseEntry();
    }

    /// <summary>UTC, milliseconds, <c>Z</c>: <c>2026-11-27T11:33:00.123Z</c>.</summary>
    internal static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>One line of <c>logs.jsonl</c> with what merging and <c>logs.txt</c> need.</summary>
    private sealed record ArchiveLine(string Timestamp, string? RequestId, long? Sequence, byte[] Json, string Text);

    /// <summary>The archive's content while it is merged.</summary>
    private sealed class ArchiveContent(string createdAt)
    {
        private readonly List<ArchiveLine> _lines = [];
        private readonly List<string> _requestIds = [];
        private readonly HashSet<(string?, long)> _seen = [];
        private string? _userId;
        private string? _sessionId;
        private string? _chatId;
        private string? _messageId;
        private string? _requestId;

        public static ArchiveContent Parse(Dictionary<string, byte[]> entries)
        {
            using var meta = JsonDocument.Parse(entries[MetaEntryName]);
            var root = meta.RootElement;
            var content = new ArchiveContent(root.GetProperty("created_at").GetString() ?? string.Empty);
            if (root.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Object)
            {
                content._userId = GetString(ids, "user_id");
                content._sessionId = GetString(ids, "session_id");
                content._chatId = GetString(ids, "chat_id");
                content._messageId = GetString(ids, "message_id");
            }

            content._requestId = GetString(root, "request_id");
            if (root.TryGetProperty("request_ids", out var requestIds) && requestIds.ValueKind == JsonValueKind.Array)
            {
                foreach (var requestId in requestIds.EnumerateArray())
                {
                    content.AddRequestId(requestId.GetString());
                }
            }

            if (entries.TryGetValue(JsonlEntryName, out byte[]? jsonl))
            {
                foreach (var line in SplitLines(jsonl))
                {
                    content.AddExistingLine(line.ToArray());
                }
            }

            return content;
        }

        public void Merge(SessionLogIds ids, IReadOnlyList<SessionLogEvent> events)
        {
            _userId = ids.UserId ?? _userId;
            _sessionId = ids.SessionId ?? _sessionId;
            _chatId = ids.ChatId ?? _chatId;
            _messageId = ids.MessageId ?? _messageId;
            _requestId = ids.RequestId;
            AddRequestId(ids.RequestId);
            foreach (var logEvent in events)
            {
                if (_seen.Add((logEvent.RequestId, logEvent.Sequence)))
                {
                    AddRequestId(logEvent.RequestId);
                    _lines.Add(CreateLine(ids, logEvent));
                }
            }

            // Lines of several requests interleave by time; ts has a fixed width, so ordinal order is time order.
            var ordered = _lines.OrderBy(line => line.Timestamp, StringComparer.Ordinal).ToList();
            _lines.Clear();
            _lines.AddRange(ordered);
        }

        public byte[] BuildMeta(string formatName)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var writer = new Utf8JsonWriter(buffer, s_jsonOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("created_at", createdAt);
                writer.WriteStartObject("ids");
                writer.WriteString("user_id", _userId);
                writer.WriteString("session_id", _sessionId);
                writer.WriteString("chat_id", _chatId);
                writer.WriteString("message_id", _messageId);
                writer.WriteEndObject();
                writer.WriteString("request_id", _requestId);
                writer.WriteStartArray("request_ids");
                foreach (string requestId in _requestIds)
                {
                    writer.WriteStringValue(requestId);
                }

                writer.WriteEndArray();
                writer.WriteString("log_format", formatName);
                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }

        public byte[] BuildJsonl()
        {
            using var output = new MemoryStream();
            foreach (var line in _lines)
            {
                output.Write(line.Json);
                output.WriteByte((byte)'\n');
            }

            return output.ToArray();
        }

        public byte[] BuildText()
        {
            var builder = new StringBuilder();
            foreach (var line in _lines)
            {
                builder.Append(line.Text).Append('\n');
            }

            return Encoding.UTF8.GetBytes(builder.ToString());
        }

        private void AddRequestId(string? requestId)
        {
            if (!string.IsNullOrEmpty(requestId) && !_requestIds.Contains(requestId, StringComparer.Ordinal))
            {
                _requestIds.Add(requestId);
            }
        }

        private void AddExistingLine(byte[] json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            string? requestId = GetString(root, "request_id");
            long? sequence = root.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number ? seq.GetInt64() : null;
            if (sequence is long value)
            {
                _seen.Add((requestId, value));
            }

            string? exception = root.TryGetProperty("exception", out var ex) && ex.ValueKind == JsonValueKind.Object ? GetString(ex, "text") : null;
            string timestamp = GetString(root, "ts") ?? string.Empty;
            string text = FormatText(timestamp, GetString(root, "level"), GetString(root, "logger"), requestId, GetString(root, "message"), exception);
            _lines.Add(new ArchiveLine(timestamp, requestId, sequence, json, text));
        }

        private static ArchiveLine CreateLine(SessionLogIds ids, SessionLogEvent logEvent)
        {
            string timestamp = FormatTimestamp(logEvent.Timestamp);
            var buffer = new ArrayBufferWriter<byte>(256 + logEvent.Message.Length);
            using (var writer = new Utf8JsonWriter(buffer, s_jsonOptions))
            {
                // Key order is part of the contract (DESIGN.md section 4); "seq" follows as the merge key.
                writer.WriteStartObject();
                writer.WriteString("ts", timestamp);
                writer.WriteString("level", logEvent.LevelName);
                writer.WriteString("logger", logEvent.Category);
                writer.WriteString("request_id", logEvent.RequestId);
                writer.WriteString("user_id", ids.UserId);
                writer.WriteString("session_id", ids.SessionId);
                writer.WriteString("chat_id", ids.ChatId);
                writer.WriteString("message_id", ids.MessageId);
                writer.WriteString("event_type", "log");
                writer.WriteString("module", logEvent.Category);
                writer.WriteString("func", logEvent.EventName);
                writer.WriteNumber("lineno", logEvent.EventId);
                if (logEvent.ExceptionText is not null)
                {
                    writer.WriteStartObject("exception");
                    writer.WriteString("text", logEvent.ExceptionText);
                    writer.WriteEndObject();
                }

                writer.WriteString("message", logEvent.Message);
                writer.WriteNumber("seq", logEvent.Sequence);
                writer.WriteEndObject();
            }

            string text = FormatText(timestamp, logEvent.LevelName, logEvent.Category, logEvent.RequestId, logEvent.Message, logEvent.ExceptionText);
            return new ArchiveLine(timestamp, logEvent.RequestId, logEvent.Sequence, buffer.WrittenSpan.ToArray(), text);
        }

        private static string FormatText(string timestamp, string? level, string? logger, string? requestId, string? message, string? exception)
        {
            string line = $"{timestamp} {level,-8} {logger} [{requestId}] {message}";
            return exception is null ? line : line + "\n" + exception;
        }

        private static string? GetString(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static List<ReadOnlyMemory<byte>> SplitLines(byte[] content)
        {
            var lines = new List<ReadOnlyMemory<byte>>();
            int start = 0;
            while (start < content.Length)
            {
                int end = Array.IndexOf(content, (byte)'\n', start);
                if (end < 0)
                {
                    end = content.Length;
                }

                if (end > start)
                {
                    lines.Add(content.AsMemory(start, end - start));
                }

                start = end + 1;
            }

            return lines;
        }
    }
}
