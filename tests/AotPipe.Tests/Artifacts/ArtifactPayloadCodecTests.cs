using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AotPipe.Artifacts;
using AotPipe.Artifacts.Codecs;
using AotPipe.Tests.Artifacts.Codecs;

using Xunit;

namespace AotPipe.Tests.Artifacts;

public sealed class ArtifactPayloadCodecTests
{
    private const string Key = "payload-codec-test-key-0123456789abcdefghij";
    private const int MinCompress = 256;
    private static readonly ArtifactAadContext s_context = ArtifactEnvelopeTests.Context;

    public static TheoryData<string> Compressions() => [nameof(ArtifactCompression.None), nameof(ArtifactCompression.Lz4), nameof(ArtifactCompression.Zstd)];

    public static TheoryData<string> LegacyRowNames()
    {
        TheoryData<string> data = [];
        foreach (JsonElement row in LegacyVectors().GetProperty("rows").EnumerateArray())
        {
            data.Add(row.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Fact]
    public void Encode_NoKey_StoresPlainJson()
    {
        ArtifactPayloadCodec codec = new(new(null, null, true, ArtifactCompression.Lz4, 0));
        byte[] item = "{\"type\":\"reasoning\",\"summary\":[]}"u8.ToArray();

        string stored = codec.Encode(item, s_context, out bool isEncrypted);

        Assert.False(codec.HasKey);
        Assert.False(isEncrypted);
        Assert.Equal(Encoding.UTF8.GetString(item), stored);
        Assert.True(codec.TryDecode(stored, false, s_context, out byte[] back));
        Assert.Equal(item, back);
    }

    [Theory]
    [InlineData("reasoning", true)]
    [InlineData("Reasoning", true)]
    [InlineData("REASONING", true)]
    [InlineData("message", false)]
    [InlineData("function_call", false)]
    public void Encode_EncryptAllFalse_EncryptsOnlyReasoning(string itemType, bool encrypted)
    {
        ArtifactPayloadCodec codec = new(new(Key, null, false, ArtifactCompression.Lz4, 0));
        ArtifactAadContext context = new(s_context.TableName, s_context.RowId, s_context.ChatId, s_context.MessageId, itemType, s_context.Scope);

        string stored = codec.Encode("{\"type\":\"x\"}"u8, context, out bool isEncrypted);

        Assert.Equal(encrypted, isEncrypted);
        Assert.Equal(encrypted, stored.StartsWith("{\"ciphertext\":", StringComparison.Ordinal));
        Assert.True(codec.TryDecode(stored, isEncrypted, context, out byte[] back));
        Assert.Equal("{\"type\":\"x\"}"u8.ToArray(), back);
    }

    [Fact]
    public void Encode_EncryptAll_EncryptsEveryType()
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));
        ArtifactAadContext context = new("t", "r", "c", "m", "message", "s");

        _ = codec.Encode("{}"u8, context, out bool isEncrypted);

        Assert.True(isEncrypted);
    }

    [Fact]
    public void Encode_WritesDesignMdPayloadShape()
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));

        string stored = codec.Encode("{\"a\":1}"u8, s_context, out _);

        using JsonDocument doc = JsonDocument.Parse(stored);
        Assert.Equal(2, doc.RootElement.GetProperty("enc_v").GetInt32());
        byte[] envelope = Convert.FromBase64String(doc.RootElement.GetProperty("ciphertext").GetString()!);
        Assert.Equal(0x02, envelope[0]);
        Assert.Equal(7 + ArtifactEnvelope.Overhead, envelope.Length);
        Assert.Equal(2, doc.RootElement.EnumerateObject().Count());
        Assert.StartsWith("{\"ciphertext\":\"", stored, StringComparison.Ordinal);
        Assert.EndsWith("\",\"enc_v\":2}", stored, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void SealOpen_RoundTripsAtBoundarySizes(string compressionName)
    {
        ArtifactCompression compression = Enum.Parse<ArtifactCompression>(compressionName);
        ArtifactPayloadCodec codec = new(new(Key, null, true, compression, MinCompress));
        foreach (int size in new[] { 0, 1, MinCompress - 1, MinCompress, MinCompress + 1, 1024 * 1024 })
        {
            byte[] data = CodecTestData.Json(size);
            byte[] envelope = codec.SealBytes(data, s_context, out int length);
            try
            {
                ArtifactEnvelopeFlags expected = compression == ArtifactCompression.None || size < MinCompress || size == 0
                    ? ArtifactEnvelopeFlags.None
                    : compression == ArtifactCompression.Lz4 ? ArtifactEnvelopeFlags.Lz4Frame : ArtifactEnvelopeFlags.ZstdFrame;
                Assert.True(expected == (ArtifactEnvelopeFlags)envelope[6], $"size {size}: flags {envelope[6]}");
                Assert.Equal(ArtifactDecodeError.None, codec.TryOpenBytes(envelope.AsSpan(0, length), s_context, out byte[] back));
                Assert.Equal(data, back);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(envelope);
            }
        }
    }

    [Theory]
    [InlineData("Lz4")]
    [InlineData("Zstd")]
    public void SealBytes_IncompressiblePayload_KeptUncompressed(string compressionName)
    {
        ArtifactCompression compression = Enum.Parse<ArtifactCompression>(compressionName);
        ArtifactPayloadCodec codec = new(new(Key, null, true, compression, 0));
        byte[] random = RandomNumberGenerator.GetBytes(4096);

        byte[] envelope = codec.SealBytes(random, s_context, out int length);

        Assert.Equal((byte)ArtifactEnvelopeFlags.None, envelope[6]);
        Assert.Equal(random.Length + ArtifactEnvelope.Overhead, length);
        System.Buffers.ArrayPool<byte>.Shared.Return(envelope);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void EncodeDecode_RealisticItem_RoundTrips(string compressionName)
    {
        ArtifactCompression compression = Enum.Parse<ArtifactCompression>(compressionName);
        ArtifactPayloadCodec codec = new(new(Key, null, true, compression, 0));
        byte[] item = Encoding.UTF8.GetBytes(LegacyVectors().GetProperty("rows")[0].GetProperty("expected_item_json").GetString()!);

        string stored = codec.Encode(item, s_context, out bool isEncrypted);

        Assert.True(isEncrypted);
        Assert.True(codec.TryDecode(stored, true, s_context, out byte[] back, out ArtifactDecodeError error), error.ToString());
        Assert.Equal(item, back);
    }

    [Fact]
    public void TryDecode_EscapedCiphertext_StillDecodes()
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));
        string stored = codec.Encode("{\"a\":\"b\"}"u8, s_context, out _);

        // A JSON layer may escape '+' as \u002B and '/' as \/; the value is the same string.
        string escaped = stored.Replace("+", "\\u002B", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal);
        string reordered = JsonSerializer.Serialize(
            new Dictionary<string, object> { ["enc_v"] = 2, ["ciphertext"] = JsonDocument.Parse(stored).RootElement.GetProperty("ciphertext").GetString()! },
            new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });

        Assert.True(codec.TryDecode(escaped, true, s_context, out _, out ArtifactDecodeError e1), e1.ToString());
        Assert.True(codec.TryDecode(reordered, true, s_context, out _, out ArtifactDecodeError e2), e2.ToString());
    }

    [Fact]
    public void TryDecode_RowCopiedToAnotherChatOrUser_Fails()
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.Lz4, 0));
        string stored = codec.Encode("{\"type\":\"reasoning\",\"text\":\"chat A\"}"u8, s_context, out _);
        ArtifactAadContext otherChat = new(s_context.TableName, s_context.RowId, "chat-B", s_context.MessageId, s_context.ItemType, s_context.Scope);
        ArtifactAadContext otherUser = new(s_context.TableName, s_context.RowId, s_context.ChatId, s_context.MessageId, s_context.ItemType, "default/mallory");

        Assert.False(codec.TryDecode(stored, true, otherChat, out byte[] leaked, out ArtifactDecodeError error));
        Assert.Empty(leaked);
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, error);
        Assert.False(codec.TryDecode(stored, true, otherUser, out _, out error));
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, error);
    }

    [Fact]
    public void TryDecode_PreviousKey_ReadsOldRows()
    {
        ArtifactPayloadCodec old = new(new("old-key-0123456789abcdefghijklmnopqrstu", null, true, ArtifactCompression.Zstd, 0));
        string stored = old.Encode("{\"v\":1}"u8, s_context, out _);

        ArtifactPayloadCodec rotated = new(new(Key, "old-key-0123456789abcdefghijklmnopqrstu", true, ArtifactCompression.Lz4, 0));
        ArtifactPayloadCodec withoutPrevious = new(new(Key, null, true, ArtifactCompression.Lz4, 0));

        Assert.True(rotated.TryDecode(stored, true, s_context, out byte[] back));
        Assert.Equal("{\"v\":1}"u8.ToArray(), back);
        Assert.False(withoutPrevious.TryDecode(stored, true, s_context, out _, out ArtifactDecodeError error));
        Assert.Equal(ArtifactDecodeError.UnknownKeyId, error);
    }

    [Fact]
    public void TryDecode_EncryptedRowWithoutKey_KeyMissing()
    {
        string stored = new ArtifactPayloadCodec(new(Key, null, true, ArtifactCompression.None, 0)).Encode("{}"u8, s_context, out _);

        Assert.False(new ArtifactPayloadCodec(new(null, null, true, ArtifactCompression.None, 0)).TryDecode(stored, true, s_context, out _, out ArtifactDecodeError error));
        Assert.Equal(ArtifactDecodeError.KeyMissing, error);
    }

    [Theory]
    [InlineData("not json", "MalformedPayload")]
    [InlineData("", "MalformedPayload")]
    [InlineData("{}", "MalformedPayload")]
    [InlineData("[1]", "MalformedPayload")]
    [InlineData("{\"ciphertext\":123,\"enc_v\":2}", "MalformedPayload")]
    [InlineData("{\"ciphertext\":\"\",\"enc_v\":2}", "MalformedPayload")]
    [InlineData("{\"ciphertext\":\"!!!!\",\"enc_v\":2}", "MalformedPayload")]
    [InlineData("{\"ciphertext\":\"AAAA\",\"enc_v\":3}", "UnsupportedVersion")]
    [InlineData("{\"ciphertext\":\"AAAA\",\"enc_v\":\"2\"}", "UnsupportedVersion")]
    [InlineData("{\"ciphertext\":\"AAAA\",\"enc_v\":2}", "UnsupportedVersion")]
    [InlineData("{\"ciphertext\":\"AgE=\",\"enc_v\":2}", "Truncated")]
    [InlineData("{\"ciphertext\":\"gAAAAA\",\"enc_v\":1}", "AuthenticationFailed")]
    [InlineData("{\"ciphertext\":\"AAAA\",\"enc_v\":2", "MalformedPayload")]
    public void TryDecode_BadData_FailsWithReason(string stored, string expected)
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));

        Assert.False(codec.TryDecode(stored, true, s_context, out byte[] item, out ArtifactDecodeError error));
        Assert.Empty(item);
        Assert.Equal(expected, error.ToString());
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("{\"a\":")]
    public void TryDecode_PlainRowThatIsNotOneObject_Fails(string stored)
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));

        Assert.False(codec.TryDecode(stored, false, s_context, out _, out ArtifactDecodeError error));
        Assert.Equal(ArtifactDecodeError.NotJsonObject, error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TryOpenBytes_DecompressionBomb_RejectedAtCap(int flagBits)
    {
        ArtifactEnvelopeFlags flags = (ArtifactEnvelopeFlags)flagBits;
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));

        Assert.Equal(ArtifactDecodeError.None, codec.TryOpenBytes(SealFrame(codec, flags, Lz4FrameCodec.MaxDecompressedBytes), s_context, out byte[] atCap));
        Assert.Equal(Lz4FrameCodec.MaxDecompressedBytes, atCap.Length);
        Assert.Equal(ArtifactDecodeError.DecompressedTooLarge, codec.TryOpenBytes(SealFrame(codec, flags, Lz4FrameCodec.MaxDecompressedBytes + 1), s_context, out byte[] none));
        Assert.Empty(none);
    }

    [Fact]
    public void TryOpenBytes_FlagSaysLz4ButBodyIsNot_DecompressionFailed()
    {
        ArtifactPayloadCodec codec = new(new(Key, null, true, ArtifactCompression.None, 0));
        byte[] envelope = new byte[ArtifactEnvelope.GetSealedLength(7)];
        ArtifactEnvelope.Seal(codec.Keyring!.Current, ArtifactEnvelopeFlags.Lz4Frame, "{\"a\":1}"u8, s_context, envelope);

        Assert.Equal(ArtifactDecodeError.DecompressionFailed, codec.TryOpenBytes(envelope, s_context, out _));
    }

    [Fact]
    public void SecurityMd28Vector_Decodes()
    {
        ArtifactPayloadCodec codec = new(new("artifact-key-1", null, true, ArtifactCompression.Lz4, 0));
        const string Stored = "{\"ciphertext\":\"gAAAAABlU_EAAAAAAAAAAAAAAAAAAAAAAKrV4Kd0FycJk2A8nR-iQsKV3A5q0KCMt4-yWeNZi8jQvvWnpSXvUYAOHUAMf9FZLhuaIOunxWOBWNtKS0XE7Ul516xrgptHdQn3APDX3ctvRVVFNWi_gawKsT7pCJw7oSZcc_-yz_tdqJ-fqJYJ_N0=\",\"enc_v\":1}";

        Assert.True(codec.TryDecode(Stored, true, s_context, out byte[] item, out ArtifactDecodeError error), error.ToString());
        Assert.Equal("{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"hi\"}]}", Encoding.UTF8.GetString(item));
    }

    [Theory]
    [MemberData(nameof(LegacyRowNames))]
    public void PythonLegacyRow_DecodesAsThePythonOriginalDid(string name)
    {
        JsonElement vectors = LegacyVectors();
        JsonElement row = vectors.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);
        string key = row.GetProperty("key").GetString()!;
        string current = vectors.GetProperty("current_key").GetString()!;

        // Rows under the previous key are read through ARTIFACT_ENCRYPTION_KEY_PREVIOUS.
        ArtifactPayloadCodec codec = key == current
            ? new(new(current, null, true, ArtifactCompression.Lz4, 0))
            : new(new(current, key, true, ArtifactCompression.Lz4, 0));
        ArtifactAadContext context = new("response_items_x", "01JC8ZK9Q3R4S5T6V7W8", "chat", "msg", row.GetProperty("item_type").GetString()!, "default/u");

        bool ok = codec.TryDecode(row.GetProperty("payload").GetString()!, row.GetProperty("is_encrypted").GetBoolean(), context, out byte[] item, out ArtifactDecodeError error);

        if (row.GetProperty("expected_item_json").ValueKind == JsonValueKind.String)
        {
            Assert.True(ok, error.ToString());
            Assert.Equal(row.GetProperty("expected_item_json").GetString(), Encoding.UTF8.GetString(item));
        }
        else
        {
            Assert.False(ok);
            Assert.Equal(row.GetProperty("expected_error").GetString(), error.ToString());
        }
    }

    private static byte[] SealFrame(ArtifactPayloadCodec codec, ArtifactEnvelopeFlags flags, int size)
    {
        byte[] zeros = new byte[size];
        byte[] frame = new byte[flags == ArtifactEnvelopeFlags.Lz4Frame ? Lz4FrameCodec.GetMaxCompressedLength(size) : ZstdCodec.GetMaxCompressedLength(size)];
        int written = flags == ArtifactEnvelopeFlags.Lz4Frame ? Lz4FrameCodec.Compress(zeros, frame) : ZstdCodec.Compress(zeros, frame);
        byte[] envelope = new byte[ArtifactEnvelope.GetSealedLength(written)];
        ArtifactEnvelope.Seal(codec.Keyring!.Current, flags, frame.AsSpan(0, written), s_context, envelope);
        return envelope;
    }

    private static JsonElement LegacyVectors() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "crypto", "legacy-artifact-vectors.json"))).RootElement;
}
