using System.Text;
using AotPipe.Upstream.Raw;
using Xunit;

namespace AotPipe.Tests.Upstream.Raw;

public sealed class ChunkedBodyDecoderTests
{
    internal static byte[] RecordedBody() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "openrouter", "responses", "stream-failed-midstream.sse"));

    /// <summary>Chunk-encodes <paramref name="body"/> in uneven chunks, with an extension and a trailer, as servers do.</summary>
    internal static byte[] Chunked(byte[] body)
    {
        var output = new MemoryStream();
        var sizes = new[] { 1, 7, 160, 333, 1024, 90 };
        var at = 0;
        for (var i = 0; at < body.Length; i++)
        {
            var n = Math.Min(sizes[i % sizes.Length], body.Length - at);
            var line = i % 3 == 1 ? $"{n:x};ext=\"v\"\r\n" : $"{n:X}\r\n";
            output.Write(Encoding.ASCII.GetBytes(line));
            output.Write(body, at, n);
            output.Write("\r\n"u8);
            at += n;
        }

        output.Write("0\r\nX-Trailer: yes\r\n\r\n"u8);
        return output.ToArray();
    }

    private static (ChunkedDecodeStatus Status, byte[] Data) DecodeInPieces(byte[] wire, params int[] splits)
    {
        var decoder = new ChunkedBodyDecoder();
        var buffer = new byte[wire.Length];
        var data = new MemoryStream();
        var status = ChunkedDecodeStatus.NeedMore;
        var from = 0;
        foreach (var to in splits.Append(wire.Length))
        {
            // Each piece lands in the buffer as a read would; decoding moves its data down in place.
            wire.AsSpan(from, to - from).CopyTo(buffer);
            var read = 0;
            var write = 0;
            status = decoder.Decode(buffer, ref read, to - from, ref write);
            data.Write(buffer, 0, write);
            from = to;
            if (status != ChunkedDecodeStatus.NeedMore)
            {
                break;
            }
        }

        return (status, data.ToArray());
    }

    [Fact]
    public void RecordedStream_SplitAtEveryByte_DecodesTheSameBody()
    {
        var body = RecordedBody();
        var wire = Chunked(body);
        for (var split = 0; split <= wire.Length; split++)
        {
            var (status, data) = DecodeInPieces(wire, split);
            Assert.Equal(ChunkedDecodeStatus.Done, status);
            Assert.True(body.AsSpan().SequenceEqual(data), "split at " + split);
        }
    }

    [Fact]
    public void OneByteReads_DecodeTheSameBody()
    {
        var body = RecordedBody();
        var wire = Chunked(body);
        var (status, data) = DecodeInPieces(wire, [.. Enumerable.Range(1, wire.Length - 1)]);
        Assert.Equal(ChunkedDecodeStatus.Done, status);
        Assert.Equal(body, data);
    }

    [Theory]
    [InlineData("5\nhello\n0\n\n")]
    [InlineData("5 ; a=b ; c\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nA: 1\r\nB: 2\r\n\r\n")]
    [InlineData("005\r\nhello\r\n00\r\n\r\n")]
    public void LfLineEndsExtensionsTrailersAndLeadingZeros_Tolerated(string wire)
    {
        var (status, data) = DecodeInPieces(Encoding.ASCII.GetBytes(wire));
        Assert.Equal(ChunkedDecodeStatus.Done, status);
        Assert.Equal("hello", Encoding.ASCII.GetString(data));
    }

    [Theory]
    [InlineData("\r\nhello\r\n")]
    [InlineData("g\r\n")]
    [InlineData("-5\r\nhello\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    [InlineData("5\r\nhello\rX")]
    [InlineData("5\rX")]
    [InlineData("1000000000000000000\r\n")]
    [InlineData("0\r\n\rX")]
    public void MalformedFraming_IsReported(string wire)
    {
        var (status, _) = DecodeInPieces(Encoding.ASCII.GetBytes(wire));
        Assert.Equal(ChunkedDecodeStatus.Malformed, status);
    }

    [Fact]
    public void ChunkLine_AtLimit_Accepted_OnePast_Malformed()
    {
        static string Line(int length) => "1;" + new string('e', length - 2) + "\r\nx\r\n0\r\n\r\n";
        Assert.Equal(ChunkedDecodeStatus.Done, DecodeInPieces(Encoding.ASCII.GetBytes(Line(ChunkedBodyDecoder.MaxChunkLineBytes))).Status);
        Assert.Equal(ChunkedDecodeStatus.Malformed, DecodeInPieces(Encoding.ASCII.GetBytes(Line(ChunkedBodyDecoder.MaxChunkLineBytes + 1))).Status);
    }

    [Fact]
    public void ChunkSizeDigits_AtLimit_Accepted_OnePast_Malformed()
    {
        // Leading zeros count toward the line limit too.
        static string Line(int length) => new string('0', length - 1) + "1\r\nx\r\n0\r\n\r\n";
        Assert.Equal(ChunkedDecodeStatus.Done, DecodeInPieces(Encoding.ASCII.GetBytes(Line(ChunkedBodyDecoder.MaxChunkLineBytes))).Status);
        Assert.Equal(ChunkedDecodeStatus.Malformed, DecodeInPieces(Encoding.ASCII.GetBytes(Line(ChunkedBodyDecoder.MaxChunkLineBytes + 1))).Status);
    }

    [Fact]
    public void Trailers_AtLimit_Accepted_OnePast_Malformed()
    {
        // The limit counts trailer bytes excluding line ends: one line of exactly that many bytes.
        static string Wire(int length) => "0\r\nT:" + new string('t', length - 2) + "\r\n\r\n";
        Assert.Equal(ChunkedDecodeStatus.Done, DecodeInPieces(Encoding.ASCII.GetBytes(Wire(ChunkedBodyDecoder.MaxTrailerBytes))).Status);
        Assert.Equal(ChunkedDecodeStatus.Malformed, DecodeInPieces(Encoding.ASCII.GetBytes(Wire(ChunkedBodyDecoder.MaxTrailerBytes + 1))).Status);
    }

    [Fact]
    public void BytesAfterLastChunk_AreLeftUnread()
    {
        var wire = "2\r\nhi\r\n0\r\n\r\nHTTP/1.1"u8.ToArray();
        var decoder = new ChunkedBodyDecoder();
        var read = 0;
        var write = 0;
        Assert.Equal(ChunkedDecodeStatus.Done, decoder.Decode(wire, ref read, wire.Length, ref write));
        Assert.Equal(wire.Length - "HTTP/1.1".Length, read);
        Assert.Equal(2, write);
        Assert.True(decoder.IsDone);
    }
}
