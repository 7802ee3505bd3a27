using System.Text;
using AotPipe.Ingestion;
using Xunit;

namespace AotPipe.Tests.Ingestion;

public sealed class DataUrlTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(1000)]
    [InlineData(1001)]
    public void Estimate_EqualsDecodedLength(int size)
    {
        string base64 = Convert.ToBase64String(new byte[size]);
        Assert.Equal(size, DataUrl.EstimateDecodedLength(base64));
        Assert.Equal(size, DataUrl.EstimateDecodedLength(Encoding.ASCII.GetBytes(base64)));
        Assert.Equal(size, DataUrl.EstimateDecodedLength(base64.TrimEnd('=')));
    }

    [Fact]
    public void Estimate_IgnoresWhitespace()
    {
        string base64 = Convert.ToBase64String(new byte[100], Base64FormattingOptions.InsertLineBreaks);
        string spaced = " " + string.Join("\n ", base64.Chunk(7).Select(c => new string(c))) + " \t\r\n";
        Assert.Equal(100, DataUrl.EstimateDecodedLength(spaced));
        Assert.Equal(100, DataUrl.EstimateDecodedLength(Encoding.ASCII.GetBytes(spaced)));
        Assert.Equal(1, DataUrl.EstimateDecodedLength("QQ = = "));
    }

    [Theory]
    [InlineData("QQ=A")]
    [InlineData("QQ===")]
    [InlineData("Q")]
    [InlineData("QUJD!")]
    [InlineData("QU-_")]
    [InlineData("QUJD\u00e9")]
    public void Estimate_RejectsInvalidText(string text) => Assert.Equal(-1, DataUrl.EstimateDecodedLength(text));

    [Theory]
    [InlineData("data:image/png;base64,AAAA", "image/png", true)]
    [InlineData("DATA:Image/PNG;name=a.png;BASE64,AAAA", "image/png", true)]
    [InlineData("data:,hello", "text/plain", false)]
    [InlineData("data:text/plain;charset=utf-8,hi", "text/plain", false)]
    public void Parse_ReadsMediaTypeAndEncoding(string url, string mediaType, bool isBase64)
    {
        Assert.True(DataUrl.TryParse(url, out string parsedType, out bool parsedBase64, out int start));
        Assert.Equal(mediaType, parsedType);
        Assert.Equal(isBase64, parsedBase64);
        Assert.Equal(url.IndexOf(',') + 1, start);
        Assert.True(DataUrl.TryParse(Encoding.ASCII.GetBytes(url), out parsedType, out _, out int byteStart));
        Assert.Equal(mediaType, parsedType);
        Assert.Equal(start, byteStart);
    }

    [Theory]
    [InlineData("https://x/a.png")]
    [InlineData("data:image/png;base64")]
    [InlineData("dat:image/png,AA")]
    public void Parse_RejectsNonDataUrls(string url) => Assert.False(DataUrl.TryParse(url, out _, out _, out _));

    [Fact]
    public void Parse_RejectsHeaderOverLimit()
    {
        string atLimit = "data:" + new string('a', DataUrl.MaxHeaderLength - 1) + ",x";
        string pastLimit = "data:" + new string('a', DataUrl.MaxHeaderLength + 1) + ",x";
        Assert.True(DataUrl.TryParse(atLimit, out _, out _, out _));
        Assert.False(DataUrl.TryParse(pastLimit, out _, out _, out _));
    }
}
