using System.Buffers;
using System.Text;
using AotPipe.Streaming;
using AotPipe.Tests.Support;
using Xunit;

namespace AotPipe.Tests.Streaming;

public sealed class SseFramerTests
{
    private sealed record Framed(string Raw, string? Data);

    /// <summary>Feeds <paramref name="chunks"/> as successive reads, keeping unconsumed bytes as earlier segments.</summary>
    private static (List<Framed> Events, SseReadStatus LastStatus, string Leftover) Feed(IEnumerable<byte[]> chunks, int maxEventBytes = SseFramer.DefaultMaxEventBytes)
    {
        using var framer = new SseFramer(maxEventBytes);
        var events = new List<Framed>();
        var pending = new List<byte[]>();
        var status = SseReadStatus.NeedMoreData;
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = ChunkedSequence.Create(pending);
            while ((status = framer.TryRead(buffer, out var e)) == SseReadStatus.Event)
            {
                events.Add(new Framed(Encoding.UTF8.GetString(e.Raw.ToArray()), e.HasData ? Encoding.UTF8.GetString(e.Data.Span) : null));
                buffer = buffer.Slice(e.Raw.End);
            }

            if (status == SseReadStatus.EventTooLarge)
            {
                break;
            }

            // Keep the unconsumed bytes as segments, like a PipeReader after AdvanceTo(consumed, examined).
            pending = [.. SplitSegments(buffer)];
        }

        return (events, status, Encoding.UTF8.GetString(ChunkedSequence.Create(pending).ToArray()));
    }

    private static IEnumerable<byte[]> SplitSegments(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            yield return segment.ToArray();
        }
    }

    /// <summary>Same data in the same order and the same bytes overall. Where a CRLF ends an event and the LF
    /// arrives in a later read, that LF travels with the next event's raw bytes, so raw boundaries may differ.</summary>
    private static void AssertSameStream(List<Framed> expected, List<Framed> actual)
    {
        Assert.Equal(expected.Select(e => e.Data), actual.Select(e => e.Data));
        Assert.Equal(string.Concat(expected.Select(e => e.Raw)), string.Concat(actual.Select(e => e.Raw)));
    }

    private static byte[][] Whole(string text) => [Encoding.UTF8.GetBytes(text)];

    private static IEnumerable<byte[]> Bytewise(string text) => Encoding.UTF8.GetBytes(text).Select(b => new[] { b });

    [Theory]
    [InlineData("data: a\n\n")]
    [InlineData("data: a\r\n\r\n")]
    [InlineData("data: a\r\r")]
    public void LineEndings_YieldOneEventWithData(string input)
    {
        var (events, _, leftover) = Feed(Whole(input));

        var e = Assert.Single(events);
        Assert.Equal("a", e.Data);
        Assert.Equal(input, e.Raw);
        Assert.Equal(string.Empty, leftover);
    }

    [Fact]
    public void SplitCrLf_YieldsOneEventAndNoPhantomBlankLine()
    {
        // The CR ends the data line in the first read; the LF arrives in the next and must not count as a blank line.
        var (events, _, _) = Feed([Encoding.UTF8.GetBytes("data: a\r"), Encoding.UTF8.GetBytes("\ndata: b\r"), Encoding.UTF8.GetBytes("\n\r\n")]);

        var e = Assert.Single(events);
        Assert.Equal("a\nb", e.Data);
        Assert.Equal("data: a\r\ndata: b\r\n\r\n", e.Raw);
    }

    [Fact]
    public void CrAtEventEnd_FollowingLfStaysWithNextEventBytes()
    {
        var (events, _, _) = Feed([Encoding.UTF8.GetBytes("data: a\r\n\r"), Encoding.UTF8.GetBytes("\ndata: b\r\n\r\n")]);

        Assert.Equal(2, events.Count);
        Assert.Equal("a", events[0].Data);
        Assert.Equal("b", events[1].Data);

        // Every byte is relayed exactly once, in order.
        Assert.Equal("data: a\r\n\r\ndata: b\r\n\r\n", string.Concat(events.Select(e => e.Raw)));
    }

    [Fact]
    public void MultiLineData_JoinedWithLf()
    {
        var (events, _, _) = Feed(Whole("data: {\ndata: \"a\":1\ndata:}\n\n"));

        Assert.Equal("{\n\"a\":1\n}", Assert.Single(events).Data);
    }

    [Fact]
    public void CommentsIdRetryAndEventFields_PassRawAndDoNotBecomeData()
    {
        const string Input = ": keep-alive\nevent: x\nid: 7\nretry: 100\ndata: v\n\n: OPENROUTER PROCESSING\n\n";
        var (events, _, _) = Feed(Whole(Input));

        Assert.Equal(2, events.Count);
        Assert.Equal("v", events[0].Data);
        Assert.Null(events[1].Data);
        Assert.Equal(Input, string.Concat(events.Select(e => e.Raw)));
    }

    [Theory]
    [InlineData("data:a\n\n", "a")]
    [InlineData("data:  a\n\n", " a")]
    [InlineData("data\n\n", "")]
    [InlineData("database: x\ndata: y\n\n", "y")]
    public void FieldValueRules_FollowTheSpec(string input, string expected)
    {
        Assert.Equal(expected, Assert.Single(Feed(Whole(input)).Events).Data);
    }

    [Fact]
    public void IncompleteEvent_StaysUnconsumed()
    {
        var (events, status, leftover) = Feed(Whole("data: a\n\ndata: partial\n"));

        Assert.Single(events);
        Assert.Equal(SseReadStatus.NeedMoreData, status);
        Assert.Equal("data: partial\n", leftover);
    }

    [Fact]
    public void EveryFixture_SplitAtEveryByte_YieldsSameEventsAsWhole()
    {
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "openrouter", "responses"), "*.sse"))
        {
            var text = File.ReadAllText(path);
            var whole = Feed(Whole(text)).Events;
            var (bytewise, _, leftover) = Feed(Bytewise(text));

            Assert.NotEmpty(whole);
            Assert.Equal(whole.Select(e => e.Data), bytewise.Select(e => e.Data));
            Assert.Equal(text, string.Concat(whole.Select(e => e.Raw)));

            // A final CRLF split across reads leaves its LF for the relay to pass on at the end of the stream.
            Assert.Equal(text, string.Concat(bytewise.Select(e => e.Raw)) + leftover);
        }
    }

    [Fact]
    public void RandomSplits_AcrossMultiByteUtf8_MatchWhole()
    {
        const string Input = "data: {\"delta\":\"héllo → 世界 🎉\"}\r\n\r\n: c\r\rdata: x\n\n";
        var bytes = Encoding.UTF8.GetBytes(Input);
        var expected = Feed(Whole(Input)).Events;
        var random = new Random(1234);
        for (var round = 0; round < 500; round++)
        {
            var chunks = new List<byte[]>();
            var offset = 0;
            while (offset < bytes.Length)
            {
                var size = Math.Min(bytes.Length - offset, random.Next(1, 8));
                chunks.Add(bytes[offset..(offset + size)]);
                offset += size;
            }

            AssertSameStream(expected, Feed(chunks).Events);
        }
    }

    [Fact]
    public void EventAtSizeCap_IsAccepted()
    {
        // A pending event is judged by the bytes scanned before its terminating blank line.
        const int Cap = 64;
        var body = "data: " + new string('x', Cap - "data: \n".Length) + "\n";
        Assert.Equal(Cap, body.Length);

        var (events, status, _) = Feed(Bytewise(body + "\n"), Cap);

        Assert.Single(events);
        Assert.NotEqual(SseReadStatus.EventTooLarge, status);
    }

    [Fact]
    public void EventOnePastSizeCap_IsRejected()
    {
        const int Cap = 64;
        var body = "data: " + new string('x', Cap - "data: \n".Length + 1) + "\n";

        var (events, status, _) = Feed(Bytewise(body + "\n"), Cap);

        Assert.Empty(events);
        Assert.Equal(SseReadStatus.EventTooLarge, status);
    }
}
