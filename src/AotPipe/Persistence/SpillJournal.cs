using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Persistence;

/// <summary>
/// An append-only local file of artifact rows, fsynced before any caller is acknowledged (SECURITY.md section 5.3).
/// Used as the spill journal while the database is unreachable and as the quarantine file for refused rows.
/// Only the batch writer's single consumer touches it, so it needs no locking of its own.
/// </summary>
/// <remarks>
/// Record layout (little-endian):
/// <code>
/// [u32 body length] [8 bytes: first 8 of SHA-256(body)] [body]
/// body = [u8 version=1] [string id] [u8 has scope][string scope]? [string chat] [string message]
///        [u8 has model][string model]? [string item type] [string payload] [u8 encrypted] [i64 created_at UTC ticks]
/// string = 7-bit-encoded byte length + UTF-8 (BinaryWriter)
/// </code>
/// A record whose length or checksum does not verify ends the readable part: it can only be a torn write that was never
/// acknowledged (or damage), and it is moved to a <c>.corrupt</c> file rather than discarded.
/// </remarks>
internal sealed class SpillJournal
{
    /// <summary>Bytes before each record body: length and checksum.</summary>
    public const int RecordHeaderBytes = 12;

    /// <summary>Largest record body accepted when reading; a larger length prefix marks damage, not a record.</summary>
    public const int MaxRecordBytes = 64 * 1024 * 1024;

    private const byte FormatVersion = 1;
    private const int ChecksumBytes = 8;

    private readonly string _path;
    private readonly long _maxBytes;
    private long _pendingRecords;

    /// <summary>Opens (creating when missing) the journal at <paramref name="path"/>.</summary>
    /// <param name="path">Journal file path; its directory is created.</param>
    /// <param name="maxBytes">Cap: appends that would grow the file beyond it are refused.</param>
    public SpillJournal(string path, long maxBytes)
    {
        _path = path;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // The file is created up front so that its directory entry is long persisted before the first spill; .NET has no
        // portable way to fsync a directory.
        using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
        {
        }

        _pendingRecords = CountRecords();
    }

    /// <summary>Journal path.</summary>
    public string FilePath => _path;

    /// <summary>Records in the journal (valid ones; a corrupt tail is not counted).</summary>
    public long PendingRecords => Volatile.Read(ref _pendingRecords);

    /// <summary>Current file size in bytes.</summary>
    public long Length => new FileInfo(_path).Length;

    /// <summary>
    /// Appends the rows and fsyncs. Returns false, writing nothing, when the cap would be exceeded. Throws
    /// <see cref="IOException"/> when the disk fails; then nothing may be acknowledged.
    /// </summary>
    public bool TryAppend(IReadOnlyList<ArtifactRecord> records)
    {
        var buffer = new MemoryStream();
        foreach (var record in records)
        {
            WriteRecord(buffer, record);
        }

        using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        if (stream.Length + buffer.Length > _maxBytes)
        {
            return false;
        }

        buffer.Position = 0;
        buffer.CopyTo(stream);
        // fsync (fdatasync is not exposed): the caller is acknowledged only after this returns.
        stream.Flush(flushToDisk: true);
        Interlocked.Add(ref _pendingRecords, records.Count);
        return true;
    }

    /// <summary>Reads every valid record; a torn or damaged tail is copied to <c>.corrupt</c> and reported in bytes.</summary>
    public List<ArtifactRecord> ReadAll(out long corruptBytes)
    {
        var data = File.ReadAllBytes(_path);
        var records = new List<ArtifactRecord>();
        var offset = ReadRecords(data, records);
        corruptBytes = data.Length - offset;
        if (corruptBytes > 0)
        {
            using var corrupt = new FileStream(_path + ".corrupt", FileMode.Append, FileAccess.Write, FileShare.Read);
            corrupt.Write(data, offset, data.Length - offset);
            corrupt.Flush(flushToDisk: true);
        }

        return records;
    }

    /// <summary>Empties the journal (after its rows are committed) and fsyncs.</summary>
    public void Clear()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.Read);
        stream.SetLength(0);
        stream.Flush(flushToDisk: true);
        Volatile.Write(ref _pendingRecords, 0);
    }

    private long CountRecords()
    {
        var records = new List<ArtifactRecord>();
        ReadRecords(File.ReadAllBytes(_path), records);
        return records.Count;
    }

    private static int ReadRecords(byte[] data, List<ArtifactRecord> records)
    {
        var offset = 0;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        while (data.Length - offset >= RecordHeaderBytes)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            if (length > MaxRecordBytes || length > data.Length - offset - RecordHeaderBytes)
            {
                break;
            }

            var body = data.AsSpan(offset + RecordHeaderBytes, (int)length);
            SHA256.HashData(body, digest);
            if (!digest[..ChecksumBytes].SequenceEqual(data.AsSpan(offset + 4, ChecksumBytes)))
            {
                break;
            }

            if (!TryDecode(data, offset + RecordHeaderBytes, (int)length, out var record))
            {
                break;
            }

            records.Add(record);
            offset += RecordHeaderBytes + (int)length;
        }

        return offset;
    }

    private static void WriteRecord(MemoryStream buffer, ArtifactRecord record)
    {
        var start = buffer.Position;
        buffer.Write(new byte[RecordHeaderBytes]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(record.Id);
            WriteOptional(writer, record.Scope);
            writer.Write(record.ChatId);
            writer.Write(record.MessageId);
            WriteOptional(writer, record.ModelId);
            writer.Write(record.ItemType);
            writer.Write(record.Payload);
            writer.Write(record.IsEncrypted);
            writer.Write(record.CreatedAt.UtcTicks);
        }

        var end = buffer.Position;
        var bodyLength = (int)(end - start - RecordHeaderBytes);
        var bytes = buffer.GetBuffer();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)start), (uint)bodyLength);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes.AsSpan((int)start + RecordHeaderBytes, bodyLength), digest);
        digest[..ChecksumBytes].CopyTo(bytes.AsSpan((int)start + 4));
    }

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static bool TryDecode(byte[] data, int offset, int length, out ArtifactRecord record)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(data, offset, length, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != FormatVersion)
            {
                record = null!;
                return false;
            }

            var id = reader.ReadString();
            var scope = reader.ReadBoolean() ? reader.ReadString() : null;
            var chat = reader.ReadString();
            var message = reader.ReadString();
            var model = reader.ReadBoolean() ? reader.ReadString() : null;
            var itemType = reader.ReadString();
            var payload = reader.ReadString();
            var encrypted = reader.ReadBoolean();
            var ticks = reader.ReadInt64();
            record = new ArtifactRecord(id, scope, chat, message, model, itemType, payload, encrypted, new DateTimeOffset(ticks, TimeSpan.Zero));
            return true;
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException or ArgumentOutOfRangeException or IOException)
        {
            record = null!;
            return false;
        }
    }
}
