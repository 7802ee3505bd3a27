using AotPipe.Artifacts;
using Xunit;

namespace AotPipe.Tests.Artifacts;

public sealed class MarkerLinesTests
{
    private const string Id = "01ARZ3NDEKTSV4RRFFQ6";

    [Theory]
    [InlineData("[01ARZ3NDEKTSV4RRFFQ6]: #", true)]
    [InlineData("  [01ARZ3NDEKTSV4RRFFQ6]: #  ", true)]
    [InlineData("\t[01ARZ3NDEKTSV4RRFFQ6]: #\r", true)]
    [InlineData("[01arz3ndektsv4rrffq6]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQ]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQ6X]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQI]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQL]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQO]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQU]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQ6]: # x", false)]
    [InlineData("x [01ARZ3NDEKTSV4RRFFQ6]: #", false)]
    [InlineData("[01ARZ3NDEKTSV4RRFFQ6]:#", false)]
    [InlineData("", false)]
    public void IsMarkerLine_FollowsThePattern(string line, bool expected) => Assert.Equal(expected, MarkerLines.IsMarkerLine(line));

    [Fact]
    public void FormatMarker_RoundTrips()
    {
        var line = MarkerLines.FormatMarker(Id);
        Assert.Equal("[" + Id + "]: #", line);
        Assert.True(MarkerLines.TryGetMarkerId(line, out var id));
        Assert.Equal(Id, id.ToString());
    }

    [Fact]
    public void IdLength_AtLimitValid_PastLimitInvalid()
    {
        Assert.True(MarkerLines.IsValidId(new string('A', MarkerLines.IdLength)));
        Assert.False(MarkerLines.IsValidId(new string('A', MarkerLines.IdLength + 1)));
        Assert.False(MarkerLines.IsValidId(new string('A', MarkerLines.IdLength - 1)));
    }

    [Fact]
    public void FindMarkerIds_ReturnsIdsInOrder()
    {
        var ids = new List<string>();
        var found = MarkerLines.FindMarkerIds("answer\n\n[" + Id + "]: #\n\n[01BX5ZZKBKACTAV9WEVG]: #\n[not]: #", ids);
        Assert.Equal(2, found);
        Assert.Equal([Id, "01BX5ZZKBKACTAV9WEVG"], ids);
    }

    [Theory]
    [InlineData("The answer.\n\n[01ARZ3NDEKTSV4RRFFQ6]: #", "The answer.")]
    [InlineData("The answer.\r\n\r\n[01ARZ3NDEKTSV4RRFFQ6]: #\r\n", "The answer.")]
    [InlineData("> ⚠ attachment removed: blocked\n\nHello\nworld", "Hello\nworld")]
    [InlineData("line one\n[01ARZ3NDEKTSV4RRFFQ6]: #\nline two", "line one\nline two")]
    [InlineData("[01ARZ3NDEKTSV4RRFFQ6]: #", "")]
    [InlineData("quote > ⚠ inside a line stays", "quote > ⚠ inside a line stays")]
    [InlineData("see [ref]: # and [01ARZ3NDEKTSV4RRFFQ6]: # inline", "see [ref]: # and [01ARZ3NDEKTSV4RRFFQ6]: # inline")]
    public void Strip_RemovesGatewayLines(string text, string expected) => Assert.Equal(expected, MarkerLines.Strip(text));

    [Fact]
    public void Strip_NothingToStrip_ReturnsSameInstance()
    {
        var text = "plain answer\nwith lines";
        Assert.Same(text, MarkerLines.Strip(text));
        var lookalike = "a [x]: # b";
        Assert.Same(lookalike, MarkerLines.Strip(lookalike));
    }
}
