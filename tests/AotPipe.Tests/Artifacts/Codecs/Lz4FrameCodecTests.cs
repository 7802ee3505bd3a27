using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AotPipe.Artifacts.Codecs;
using AotPipe.Security;
using K4os.Compression.LZ4.Streams;
using Xunit;

namespace AotPipe.Tests.Artifacts.Codecs;

public sealed class Lz4FrameCodecTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(1024 * 1024)]
    public void CompressDecompress_RoundTrips(int size)
    {
        byte[] data = CodecTestData.Json(size);

        byte[] frame = Compress(data);

        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18 }, frame[..4]);
        Assert.Equal(OperationStatus.Done, Lz4FrameCodec.Decompress(frame, out byte[] output));
        Assert.Equal(data, output);
    }

    [Fact]
    public void Decompress_AtCap_Accepted_OnePast_Rejected()
    {
        byte[] atCap = Compress(new byte[Lz4FrameCodec.MaxDecompressedBytes]);
        byte[] pastCap = Compress(new byte[Lz4FrameCodec.MaxDecompressedBytes + 1]);

        Assert.True(pastCap.Length < 1024 * 1024, "the bomb is small on disk");
        Assert.Equal(OperationStatus.Done, Lz4FrameCodec.Decompress(atCap, out byte[] output));
        Assert.Equal(Lz4FrameCodec.MaxDecompressedBytes, output.Length);
        Assert.Equal(OperationStatus.DestinationTooSmall, Lz4FrameCodec.Decompress(pastCap, out byte[] none));
        Assert.Empty(none);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(64 * 1024)]
    [InlineData(300_000)]
    public void Decompress_FrameWithoutContentSize_CapEnforcedWhileGrowing(int cap)
    {
        // K4os's default settings omit the content size, so the decoder has to grow towards the cap.
        byte[] atCap = LZ4Frame.Encode(new byte[cap].AsSpan(), new ArrayBufferWriter<byte>()).WrittenSpan.ToArray();
        byte[] pastCap = LZ4Frame.Encode(new byte[cap + 1].AsSpan(), new ArrayBufferWriter<byte>()).WrittenSpan.ToArray();

        Assert.Equal(OperationStatus.Done, Lz4FrameCodec.Decompress(atCap, out byte[] output, cap));
        Assert.Equal(cap, output.Length);
        Assert.Equal(OperationStatus.DestinationTooSmall, Lz4FrameCodec.Decompress(pastCap, out _, cap));
    }

    [Fact]
    public void Decompress_PythonFrameDeclaringSize_CapCheckedAgainstDeclaredSize()
    {
        // Python's lz4.frame records the content size; take such a frame out of a legacy row.
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "crypto", "legacy-artifact-vectors.json")));
        JsonElement row = doc.RootElement.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("name").GetString() == "reasoning-0-lz4");
        string token = JsonDocument.Parse(row.GetProperty("payload").GetString()!).RootElement.GetProperty("ciphertext").GetString()!;
        Assert.True(FernetToken.TryDecrypt(SHA256.HashData("artifact-key-1"u8), token.AsSpan(), out byte[] plaintext));
        byte[] frame = plaintext[1..];
        Assert.Equal(0x08, frame[4] & 0x08); // FLG content-size bit
        int size = Encoding.UTF8.GetByteCount(row.GetProperty("expected_item_json").GetString()!);

        Assert.Equal(OperationStatus.DestinationTooSmall, Lz4FrameCodec.Decompress(frame, out _, size - 1));
        Assert.Equal(OperationStatus.Done, Lz4FrameCodec.Decompress(frame, out byte[] output, size));
        Assert.Equal(row.GetProperty("expected_item_json").GetString(), Encoding.UTF8.GetString(output));
    }

    [Fact]
    public void Decompress_TruncatedAtEveryLength_InvalidData()
    {
        byte[] frame = Compress(CodecTestData.Json(5000));
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.Equal(OperationStatus.InvalidData, Lz4FrameCodec.Decompress(frame.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void Decompress_Garbage_InvalidData()
    {
        Assert.Equal(OperationStatus.InvalidData, Lz4FrameCodec.Decompress("{\"not\":\"lz4\"}"u8, out _));
        Assert.Equal(OperationStatus.InvalidData, Lz4FrameCodec.Decompress([0x04, 0x22, 0x4D, 0x18, 0xFF, 0xFF, 0xFF], out _));
    }

    private static byte[] Compress(byte[] data)
    {
        byte[] frame = new byte[Lz4FrameCodec.GetMaxCompressedLength(data.Length)];
        int written = Lz4FrameCodec.Compress(data, frame);
        return frame[..written];
    }
}
