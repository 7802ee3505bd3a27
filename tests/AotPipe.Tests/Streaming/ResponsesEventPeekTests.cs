using System.Text;
using AotPipe.Streaming;
using Xunit;

namespace AotPipe.Tests.Streaming;

public sealed class ResponsesEventPeekTests
{
    public static TheoryData<string> Streams() => [.. SseFixture.StreamNames()];

    private static (ResponsesEventKind Kind, long Sequence) Peek(string json)
    {
        var kind = ResponsesEventPeek.Read(Encoding.UTF8.GetBytes(json), out var sequence);
        return (kind, sequence);
    }

    private static bool Fast(string json, out ResponsesEventKind kind, out long sequence) =>
        ResponsesEventPeek.TryReadFast(Encoding.UTF8.GetBytes(json), out kind, out sequence);

    [Theory]
    [MemberData(nameof(Streams))]
    public void RecordedStream_ByteScanAgreesWithReaderOnEveryEvent(string name)
    {
        var fast = 0;
        foreach (var data in SseFixture.ReadDataPayloads(name))
        {
            var expected = ResponsesEventPeek.ReadSlow(data, out var expectedSequence);
            var kind = ResponsesEventPeek.Read(data, out var sequence);
            Assert.Equal(expected, kind);
            Assert.Equal(expectedSequence, sequence);
            fast += ResponsesEventPeek.TryReadFast(data, out _, out _) ? 1 : 0;
        }

        // The recorded shape is the one the byte scan serves: every JSON event of the stream takes it.
        Assert.Equal(SseFixture.ReadDataPayloads(name).Count(d => d.AsSpan().StartsWith("{\"type\":"u8)), fast);
    }

    [Theory]
    [InlineData("""{"type":"response.output_text.delta","output_index":0,"delta":"hi","sequence_number":7}""", ResponsesEventKind.Other, 7)]
    [InlineData("""{"type":"response.completed","response":{"id":"r","sequence_number":1},"sequence_number":42}""", ResponsesEventKind.Finished, 42)]
    [InlineData("""{"type":"response.incomplete","sequence_number":3}""", ResponsesEventKind.Finished, 3)]
    [InlineData("""{"type":"response.failed","sequence_number":0}""", ResponsesEventKind.Failed, 0)]
    [InlineData("""{"type":"error","code":"x","sequence_number":9}""", ResponsesEventKind.Failed, 9)]
    [InlineData("""{"type":"response.error","sequence_number":9}""", ResponsesEventKind.Failed, 9)]
    public void RecordedShape_TakesByteScan(string json, ResponsesEventKind expectedKind, long expectedSequence)
    {
        Assert.True(Fast(json, out var kind, out var sequence));
        Assert.Equal(expectedKind, kind);
        Assert.Equal(expectedSequence, sequence);
        Assert.Equal((expectedKind, expectedSequence), Peek(json));
    }

    [Theory]
    [InlineData("""{"type":"response.completed","response":{"sequence_number":5}}""", ResponsesEventKind.Finished, -1)]
    [InlineData("""{"type":"x","note":"a\",\"sequence_number\":5}""", ResponsesEventKind.Other, -1)]
    [InlineData("""{"type":"response.comp\u006Ceted","sequence_number":4}""", ResponsesEventKind.Finished, 4)]
    [InlineData("""{"sequence_number":4,"type":"response.completed"}""", ResponsesEventKind.Finished, 4)]
    [InlineData("""{ "type":"response.completed","sequence_number":4}""", ResponsesEventKind.Finished, 4)]
    [InlineData("""{"type":"response.completed","sequence_number":4 }""", ResponsesEventKind.Finished, 4)]
    [InlineData("""{"type":"x","sequence_number":-4}""", ResponsesEventKind.Other, -4)]
    [InlineData("""{"type":"x","sequence_number":04}""", ResponsesEventKind.Other, -1)]
    [InlineData("""{"type":"x","sequence_number":4.5}""", ResponsesEventKind.Other, -1)]
    [InlineData("""{"type":"x","xsequence_number":4}""", ResponsesEventKind.Other, -1)]
    [InlineData("""{"type":"x""sequence_number":4}""", ResponsesEventKind.Other, -1)]
    [InlineData("""{"type":"x"}""", ResponsesEventKind.Other, -1)]
    [InlineData("""{"type":7,"sequence_number":4}""", ResponsesEventKind.Other, 4)]
    [InlineData("[DONE]", ResponsesEventKind.NotJson, -1)]
    [InlineData("", ResponsesEventKind.NotJson, -1)]
    public void OtherShapes_FallBackToReader(string json, ResponsesEventKind expectedKind, long expectedSequence)
    {
        Assert.False(Fast(json, out _, out _));
        Assert.Equal((expectedKind, expectedSequence), Peek(json));
    }

    [Fact]
    public void SequenceNumber_AtDigitLimit_TakesByteScan()
    {
        var number = new string('9', ResponsesEventPeek.MaxFastSequenceDigits);
        var json = """{"type":"x","sequence_number":""" + number + "}";
        Assert.True(Fast(json, out _, out var sequence));
        Assert.Equal(long.Parse(number, System.Globalization.CultureInfo.InvariantCulture), sequence);
    }

    [Fact]
    public void SequenceNumber_PastDigitLimit_FallsBackToReader()
    {
        var json = """{"type":"x","sequence_number":""" + "1" + new string('0', ResponsesEventPeek.MaxFastSequenceDigits) + "}";
        Assert.False(Fast(json, out _, out _));
        Assert.Equal((ResponsesEventKind.Other, 1_000_000_000_000_000_000L), Peek(json));
    }

    [Fact]
    public void SequenceNumber_BeyondLong_IsAbsent()
    {
        Assert.Equal((ResponsesEventKind.Other, -1L), Peek("""{"type":"x","sequence_number":99999999999999999999}"""));
    }
}
