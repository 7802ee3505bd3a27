using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using AotPipe.Upstream.Raw;
using Xunit;

namespace AotPipe.Tests.Upstream.Raw;

public sealed class RawBodyReaderTests
{
    private sealed class Owner : IRawBodyOwner
    {
        public List<bool> Releases { get; } = [];

        public void Release(bool reusable) => Releases.Add(reusable);
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync(TestContext.Current.CancellationToken);
            foreach (var segment in result.Buffer)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return output.ToArray();
            }
        }
    }

    [Fact]
    public async Task RecordedChunkedStream_SplitAtEveryByte_ReadsTheBodyAndFreesTheConnection()
    {
        var body = ChunkedBodyDecoderTests.RecordedBody();
        var wire = ChunkedBodyDecoderTests.Chunked(body);
        for (var split = 0; split <= wire.Length; split++)
        {
            var owner = new Owner();
            var reader = new RawBodyReader(new ScriptedReadStream(wire[..split], wire[split..]), BodyFraming.Chunked, 0, default, keepAlive: true, owner);
            var data = await ReadAllAsync(reader);
            reader.Complete();
            Assert.True(body.AsSpan().SequenceEqual(data), "split at " + split);
            Assert.Equal([true], owner.Releases);
        }
    }

    [Fact]
    public async Task BodyBytesThatCameWithTheHead_AreReadFirst()
    {
        var wire = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"u8.ToArray();
        var reader = new RawBodyReader(new ScriptedReadStream(wire[9..]), BodyFraming.Chunked, 0, wire.AsSpan(0, 9), keepAlive: true, owner: null);
        Assert.Equal("hello world", Encoding.ASCII.GetString(await ReadAllAsync(reader)));
    }

    [Fact]
    public async Task PartiallyExaminedBuffer_NextReadWaitsForMoreAndKeepsTheRest()
    {
        var reader = new RawBodyReader(new ScriptedReadStream("3\r\nabc\r\n"u8.ToArray(), "3\r\ndef\r\n0\r\n\r\n"u8.ToArray()), BodyFraming.Chunked, 0, default, keepAlive: true, owner: null);
        var first = await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal("abc", Encoding.ASCII.GetString(first.Buffer.ToArray()));
        reader.AdvanceTo(first.Buffer.GetPosition(1), first.Buffer.End);
        var second = await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal("bcdef", Encoding.ASCII.GetString(second.Buffer.ToArray()));
    }

    [Fact]
    public async Task ConnectionEndsMidChunk_ThrowsResponseEnded_AndClosesTheConnection()
    {
        var owner = new Owner();
        var reader = new RawBodyReader(new ScriptedReadStream("a\r\nhello"u8.ToArray()), BodyFraming.Chunked, 0, default, keepAlive: true, owner);
        var ex = await Assert.ThrowsAsync<HttpIOException>(() => ReadAllAsync(reader));
        Assert.Equal(HttpRequestError.ResponseEnded, ex.HttpRequestError);
        reader.Complete(ex);
        Assert.Equal([false], owner.Releases);
    }

    [Fact]
    public async Task MalformedChunk_ThrowsInvalidResponse()
    {
        var reader = new RawBodyReader(new ScriptedReadStream("5\r\nhelloXX"u8.ToArray()), BodyFraming.Chunked, 0, default, keepAlive: true, owner: null);
        var ex = await Assert.ThrowsAsync<HttpIOException>(() => ReadAllAsync(reader));
        Assert.Equal(HttpRequestError.InvalidResponse, ex.HttpRequestError);
    }

    [Fact]
    public async Task ContentLength_ReadsExactlyThatMany()
    {
        var owner = new Owner();
        var reader = new RawBodyReader(new ScriptedReadStream("hel"u8.ToArray(), "lo"u8.ToArray()), BodyFraming.Length, 5, default, keepAlive: true, owner);
        Assert.Equal("hello", Encoding.ASCII.GetString(await ReadAllAsync(reader)));
        reader.Complete();
        Assert.Equal([true], owner.Releases);
    }

    [Fact]
    public async Task ContentLength_EndsEarly_ThrowsResponseEnded()
    {
        var reader = new RawBodyReader(new ScriptedReadStream("hel"u8.ToArray()), BodyFraming.Length, 5, default, keepAlive: true, owner: null);
        var ex = await Assert.ThrowsAsync<HttpIOException>(() => ReadAllAsync(reader));
        Assert.Equal(HttpRequestError.ResponseEnded, ex.HttpRequestError);
    }

    [Fact]
    public async Task CloseDelimited_EndsAtEndOfStream_ConnectionNotReused()
    {
        var owner = new Owner();
        var reader = new RawBodyReader(new ScriptedReadStream("data: x\n\n"u8.ToArray()), BodyFraming.Close, 0, default, keepAlive: false, owner);
        Assert.Equal("data: x\n\n", Encoding.ASCII.GetString(await ReadAllAsync(reader)));
        reader.Complete();
        Assert.Equal([false], owner.Releases);
    }

    [Fact]
    public async Task BytesAfterTheBody_ConnectionNotReused()
    {
        var owner = new Owner();
        var reader = new RawBodyReader(new ScriptedReadStream("2\r\nhi\r\n0\r\n\r\njunk"u8.ToArray()), BodyFraming.Chunked, 0, default, keepAlive: true, owner);
        Assert.Equal("hi", Encoding.ASCII.GetString(await ReadAllAsync(reader)));
        reader.Complete();
        Assert.Equal([false], owner.Releases);
    }

    [Fact]
    public async Task CompletedBeforeTheEnd_ClosesTheConnection()
    {
        var owner = new Owner();
        var reader = new RawBodyReader(new ScriptedReadStream("2\r\nhi\r\n"u8.ToArray()), BodyFraming.Chunked, 0, default, keepAlive: true, owner);
        var result = await reader.ReadAsync(TestContext.Current.CancellationToken);
        reader.AdvanceTo(result.Buffer.End);
        reader.Complete();
        reader.Complete();
        Assert.Equal([false], owner.Releases);
    }

    [Fact]
    public async Task EventLargerThanOneRead_GrowsTheBuffer()
    {
        var body = Encoding.ASCII.GetBytes("data: " + new string('x', 3 * RawBodyReader.ReadBufferBytes) + "\n\n");
        var reader = new RawBodyReader(new ScriptedReadStream(ChunkedBodyDecoderTests.Chunked(body)), BodyFraming.Chunked, 0, default, keepAlive: true, owner: null);
        while (true)
        {
            // Consume nothing until the whole body is there, as the framer does with an unfinished event.
            var result = await reader.ReadAsync(TestContext.Current.CancellationToken);
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                Assert.Equal(body, result.Buffer.ToArray());
                return;
            }
        }
    }

    [Fact]
    public async Task CancelPendingRead_ReturnsCanceled()
    {
        var reader = new RawBodyReader(new ScriptedReadStream("2\r\nhi\r\n"u8.ToArray()), BodyFraming.Chunked, 0, default, keepAlive: true, owner: null);
        reader.CancelPendingRead();
        var result = await reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.True(result.IsCanceled);
    }
}
