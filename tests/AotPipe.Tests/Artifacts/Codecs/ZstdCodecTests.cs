using System.Buffers;
using AotPipe.Artifacts.Codecs;
using Xunit;
using ZstdSharp;

namespace AotPipe.Tests.Artifacts.Codecs;

public sealed class ZstdCodecTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(131072)]
    [InlineData(1024 * 1024)]
    public void CompressDecompress_RoundTrips(int size)
    {
        byte[] data = CodecTestData.Json(size);

        byte[] frame = Compress(data);

        Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, frame[..4]);
        Assert.Equal(OperationStatus.Done, ZstdCodec.Decompress(frame, out byte[] output));
        Assert.Equal(data, output);
    }

    [Fact]
    public void Decompress_AtCap_Accepted_OnePast_Rejected()
    {
        byte[] atCap = Compress(new byte[ZstdCodec.MaxDecompressedBytes]);
        byte[] pastCap = Compress(new byte[ZstdCodec.MaxDecompressedBytes + 1]);

        Assert.True(pastCap.Length < 64 * 1024, "the bomb is small on disk");
        Assert.Equal(OperationStatus.Done, ZstdCodec.Decompress(atCap, out byte[] output));
        Assert.Equal(ZstdCodec.MaxDecompressedBytes, output.Length);
        Assert.Equal(OperationStatus.DestinationTooSmall, ZstdCodec.Decompress(pastCap, out byte[] none));
        Assert.Empty(none);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(300_000)]
    public void Decompress_FrameWithoutContentSize_CapEnforced(int cap)
    {
        byte[] atCap = StreamCompress(new byte[cap]);
        byte[] pastCap = StreamCompress(new byte[cap + 1]);

        Assert.Equal(OperationStatus.Done, ZstdCodec.Decompress(atCap, out byte[] output, cap));
        Assert.Equal(cap, output.Length);
        Assert.Equal(OperationStatus.DestinationTooSmall, ZstdCodec.Decompress(pastCap, out _, cap));
    }

    [Fact]
    public void Decompress_TruncatedAtEveryLength_InvalidData()
    {
        byte[] frame = Compress(CodecTestData.Json(5000));
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.NotEqual(OperationStatus.Done, ZstdCodec.Decompress(frame.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void Decompress_Garbage_InvalidData()
    {
        Assert.Equal(OperationStatus.InvalidData, ZstdCodec.Decompress("{\"not\":\"zstd\"}"u8, out _));
        Assert.Equal(OperationStatus.InvalidData, ZstdCodec.Decompress([0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0xFF, 0xFF, 0xFF], out _));
    }

    private static byte[] Compress(byte[] data)
    {
        byte[] frame = new byte[ZstdCodec.GetMaxCompressedLength(data.Length)];
        int written = ZstdCodec.Compress(data, frame);
        return frame[..written];
    }

    private static byte[] StreamCompress(byte[] data)
    {
        using MemoryStream output = new();
        using (CompressionStream zstd = new(output, 3))
        {
            zstd.Write(data);
        }

        return output.ToArray();
    }
}
