using System.Text;
using AotPipe.Upstream.Raw;
using Xunit;

namespace AotPipe.Tests.Upstream.Raw;

public sealed class RawResponseHeadTests
{
    private static RawHeadStatus Parse(string text, out RawResponseHead? head, out int length) =>
        RawResponseHead.TryParse(Encoding.ASCII.GetBytes(text), out head, out length);

    [Fact]
    public void ChunkedSse_ParsedWithHeadersAndBodyOffset()
    {
        const string Head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
        Assert.Equal(RawHeadStatus.Complete, Parse(Head + "5\r\n", out var head, out var length));
        Assert.Equal(Head.Length, length);
        Assert.Equal(200, head!.StatusCode);
        Assert.Equal(BodyFraming.Chunked, head.Framing);
        Assert.True(head.KeepAlive);
        Assert.Contains(new KeyValuePair<string, string>("Content-Type", "text/event-stream"), head.Headers);
    }

    [Fact]
    public void ContentLengthAndConnectionClose_Parsed()
    {
        Assert.Equal(RawHeadStatus.Complete, Parse("HTTP/1.1 429 Too Many Requests\nContent-Length: 12\nConnection: keep-alive, close\nRetry-After: 3\n\n", out var head, out _));
        Assert.Equal(429, head!.StatusCode);
        Assert.Equal(BodyFraming.Length, head.Framing);
        Assert.Equal(12, head.ContentLength);
        Assert.False(head.KeepAlive);
    }

    [Fact]
    public void NoLength_IsCloseDelimited_NotReused()
    {
        Assert.Equal(RawHeadStatus.Complete, Parse("HTTP/1.0 200 OK\r\n\r\n", out var head, out _));
        Assert.Equal(BodyFraming.Close, head!.Framing);
        Assert.False(head.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n")]
    [InlineData("")]
    public void WithoutTheEmptyLine_Incomplete(string text) => Assert.Equal(RawHeadStatus.Incomplete, Parse(text, out _, out _));

    [Theory]
    [InlineData("HTTP/2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 abc OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nName : space before colon\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    public void Invalid_Malformed(string text) => Assert.Equal(RawHeadStatus.Malformed, Parse(text, out _, out _));

    [Fact]
    public void OtherTransferCoding_Unsupported() =>
        Assert.Equal(RawHeadStatus.Unsupported, Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", out _, out _));

    [Fact]
    public void HeadAtLimit_Parsed_OnePast_TooLarge()
    {
        static string Head(int size)
        {
            const string Start = "HTTP/1.1 200 OK\r\nX-Pad: ";
            const string End = "\r\n\r\n";
            return Start + new string('p', size - Start.Length - End.Length) + End;
        }

        Assert.Equal(RawHeadStatus.Complete, Parse(Head(RawHttpLimits.MaxResponseHeaderBytes), out _, out var length));
        Assert.Equal(RawHttpLimits.MaxResponseHeaderBytes, length);
        Assert.Equal(RawHeadStatus.TooLarge, Parse(Head(RawHttpLimits.MaxResponseHeaderBytes + 1), out _, out _));
        Assert.Equal(RawHeadStatus.TooLarge, Parse("HTTP/1.1 200 OK\r\nX-Pad: " + new string('p', RawHttpLimits.MaxResponseHeaderBytes), out _, out _));
    }
}
