using System.Buffers;
using System.Text;
using System.Text.Json;
using AotPipe.Redaction;
using Xunit;

namespace AotPipe.Tests.Redaction;

public sealed class Base64RedactorTests
{
    private const string Header = "data:image/png;base64,";
    private const string StandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string UrlSafeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static string Payload(int length, string alphabet = StandardAlphabet)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append(alphabet[(i * 7) % alphabet.Length]);
        }

        return builder.ToString();
    }

    private static string Marker(long n) => $"…[REDACTED]({n} chars)…";

    private static string RedactWhole(string input)
    {
        var output = new ArrayBufferWriter<byte>();
        var redactor = new Base64Redactor();
        redactor.Redact(Encoding.UTF8.GetBytes(input), output, isFinalBlock: true);
        Assert.Equal(0, redactor.BufferedByteCount);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string RedactChunks(byte[] input, IEnumerable<int> cuts)
    {
        var output = new ArrayBufferWriter<byte>();
        var redactor = new Base64Redactor();
        int start = 0;
        foreach (int cut in cuts)
        {
            redactor.Redact(input.AsSpan(start, cut - start), output, isFinalBlock: false);
            Assert.InRange(redactor.BufferedByteCount, 0, Base64Redactor.MaxBufferedBytes);
            start = cut;
        }

        redactor.Redact(input.AsSpan(start), output, isFinalBlock: true);
        Assert.Equal(0, redactor.BufferedByteCount);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Checks the whole-input result, then every split into two chunks and seeded random multi-chunk splits.</summary>
    private static void AssertRedacts(string input, string expected)
    {
        Assert.Equal(expected, RedactWhole(input));
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(expected, RedactChunks(bytes, [cut]));
        }

        var random = new Random(1234 + bytes.Length);
        for (int round = 0; round < 40; round++)
        {
            var cuts = new List<int>();
            int position = 0;
            int maxChunk = round < 10 ? 2 : round < 20 ? 9 : 80;
            while (true)
            {
                position += random.Next(0, maxChunk + 1);
                if (position >= bytes.Length)
                {
                    break;
                }

                cuts.Add(position);
            }

            Assert.Equal(expected, RedactChunks(bytes, cuts));
        }
    }

    private static string Json(string value) => "{\"image_url\":\"" + value + "\",\"n\":1}";

    private static void AssertJsonValue(string json, string expectedValue)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(expectedValue, document.RootElement.GetProperty("image_url").GetString());
    }

    [Fact]
    public void StandardAlphabet_RedactsWithPrefixAndLength()
    {
        string payload = Payload(300);
        string expected = Json(Header + payload[..64] + Marker(300));
        AssertRedacts(Json(Header + payload), expected);
        AssertJsonValue(expected, Header + payload[..64] + Marker(300));
    }

    [Fact]
    public void UrlSafeAlphabet_Redacts()
    {
        string payload = Payload(400, UrlSafeAlphabet) + "==";
        AssertRedacts(Json(Header + payload), Json(Header + payload[..64] + Marker(402)));
    }

    [Theory]
    [InlineData("\\/")]
    [InlineData("\\u002B")]
    [InlineData("\\u002b")]
    [InlineData("\\u002F")]
    [InlineData("\\u002f")]
    [InlineData("\\u003D")]
    [InlineData("\\u003d")]
    public void JsonEscapes_AreUnitsCountedInInputCharacters(string escape)
    {
        // 10 characters then the escape, repeated: the escape is never cut and counts with its full length.
        var builder = new StringBuilder();
        while (builder.Length < 300)
        {
            builder.Append("ABCDEFGHIJ").Append(escape);
        }

        string payload = builder.ToString();
        string prefix = LongestWholeUnitPrefix(payload, escape);
        string expected = Json(Header + prefix + Marker(payload.Length));
        AssertRedacts(Json(Header + payload), expected);
        using var document = JsonDocument.Parse(expected);
    }

    private static string LongestWholeUnitPrefix(string payload, string escape)
    {
        int length = 0;
        while (true)
        {
            int next = payload.AsSpan(length).StartsWith(escape) ? length + escape.Length : length + 1;
            if (next > 64)
            {
                return payload[..length];
            }

            length = next;
        }
    }

    [Fact]
    public void JsonEscapedPlus_FromSystemTextJson_RedactsAndStaysValidJson()
    {
        string payload = Payload(500);
        Assert.Contains('+', payload);
        string json = JsonSerializer.Serialize(new Dictionary<string, string> { ["image_url"] = Header + payload }, RedactionTestsJsonContext.Default.DictionaryStringString);
        Assert.Contains("\\u002B", json);
        string redacted = RedactWhole(json);
        int escapedLength = json.Length - "{\"image_url\":\"".Length - Header.Length - "\"}".Length;
        Assert.Contains(Marker(escapedLength), redacted);
        using var document = JsonDocument.Parse(redacted);
        string value = document.RootElement.GetProperty("image_url").GetString()!;
        Assert.StartsWith(Header, value);
        Assert.EndsWith(Marker(escapedLength), value);
        AssertRedacts(json, redacted);
    }

    [Theory]
    [InlineData("\\n")]
    [InlineData("\\r\\n")]
    [InlineData("\\r")]
    public void EscapedLineWrapping_IsPartOfThePayload(string lineBreak)
    {
        string line = Payload(76);
        string payload = string.Join(lineBreak, line, line, line, line, line[..20]);
        string expected = Json(Header + line[..64] + Marker(payload.Length));
        AssertRedacts(Json(Header + payload), expected);
        using var document = JsonDocument.Parse(expected);
    }

    [Fact]
    public void EscapedLineBreak_NotFollowedByUnit_StaysAfterMarker()
    {
        string payload = Payload(300);
        AssertRedacts(Json(Header + payload + "\\n"), Json(Header + payload[..64] + Marker(300) + "\\n"));
        AssertRedacts(Json(Header + payload + "\\r\\n\\\""), Json(Header + payload[..64] + Marker(300) + "\\r\\n\\\""));
    }

    [Fact]
    public void BlankEscapedLine_EndsThePayload()
    {
        string payload = Payload(300);
        AssertRedacts(Json(Header + payload + "\\n\\nAAAA"), Json(Header + payload[..64] + Marker(300) + "\\n\\nAAAA"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void RawMimeWrapping_WholeBase64Lines_ArePartOfThePayload(string lineBreak)
    {
        string line = Payload(76);
        string payload = string.Join(lineBreak, line, line, line, line, line[..10] + "==");
        string input = "src=" + Header + payload + lineBreak + "\">" + lineBreak + "AAAA" + lineBreak;
        string expected = "src=" + Header + line[..64] + Marker(payload.Length) + lineBreak + "\">" + lineBreak + "AAAA" + lineBreak;
        AssertRedacts(input, expected);
    }

    [Fact]
    public void RawWrapping_LastLineEndsAtEndOfInput_IsPartOfThePayload()
    {
        string line = Payload(76);
        string payload = string.Join("\n", line, line, line, line[..30]);
        AssertRedacts(Header + payload, Header + line[..64] + Marker(payload.Length));
    }

    [Theory]
    [InlineData("\nnot base64 here\n")]
    [InlineData("\n\nAAAA\n")]
    [InlineData("\r\nAAAA AAAA")]
    [InlineData("\rAAAA")]
    [InlineData("\nAAAA\rB")]
    public void RawBreak_NextLineNotWholeBase64_EndsThePayload(string tail)
    {
        string payload = Payload(300);
        AssertRedacts(Header + payload + tail, Header + payload[..64] + Marker(300) + tail);
    }

    [Fact]
    public void RawBreak_NextLineContainsDataUrl_RedactsBoth()
    {
        string payload = Payload(300);
        string input = Header + payload + "\n" + Header + payload + "\n";
        string once = Header + payload[..64] + Marker(300);
        AssertRedacts(input, once + "\n" + once + "\n");
    }

    [Fact]
    public void WrappedLine_AtLookAheadLimit_IsPartOfThePayload()
    {
        string line = Payload(Base64Redactor.MaxWrappedLineLength);
        string payload = Payload(100) + "\n" + line;
        AssertRedacts(Header + payload + "\n!", Header + payload[..64] + Marker(payload.Length) + "\n!");
    }

    [Fact]
    public void WrappedLine_PastLookAheadLimit_IsText()
    {
        string first = Payload(300);
        string line = Payload(Base64Redactor.MaxWrappedLineLength + 1);
        AssertRedacts(Header + first + "\n" + line + "\n!", Header + first[..64] + Marker(300) + "\n" + line + "\n!");
    }

    [Theory]
    [InlineData("DATA:IMAGE/PNG;BASE64,")]
    [InlineData("Data:image/png;Base64,")]
    [InlineData("data:image/png;bAsE64,")]
    public void Header_IsCaseInsensitive(string header)
    {
        string payload = Payload(300);
        AssertRedacts(Json(header + payload), Json(header + payload[..64] + Marker(300)));
    }

    [Theory]
    [InlineData("data:;base64,")]
    [InlineData("data:image\\/png;base64,")]
    [InlineData("data:application/octet-stream;name=a.b%20c;charset=utf-8;base64,")]
    [InlineData("data:image/svg+xml;base64,")]
    public void HeaderVariants_AreRecognised(string header)
    {
        string payload = Payload(256);
        AssertRedacts(Json(header + payload), Json(header + payload[..64] + Marker(256)));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("Z")]
    [InlineData("7")]
    public void DataPrecededByLetterOrDigit_IsNotACandidate(string before)
    {
        string input = Json(before + Header + Payload(300));
        AssertRedacts(input, input);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("=")]
    [InlineData("(")]
    [InlineData("é")]
    public void DataPrecededByOtherCharacter_IsACandidate(string before)
    {
        string payload = Payload(300);
        AssertRedacts(before + Header + payload, before + Header + payload[..64] + Marker(300));
    }

    [Theory]
    [InlineData("data:text/plain,")]
    [InlineData("data:image/png;base64")]
    [InlineData("data:image/png;base64x,")]
    [InlineData("data:image/png base64,")]
    [InlineData("data:image\\npng;base64,")]
    [InlineData("data image/png;base64,")]
    public void NotABase64Header_IsUnchanged(string header)
    {
        string input = Json(header + Payload(300));
        AssertRedacts(input, input);
    }

    [Theory]
    [InlineData(255, false)]
    [InlineData(256, true)]
    [InlineData(257, true)]
    public void PayloadLength_AtThreshold(int length, bool isRedacted)
    {
        string payload = Payload(length);
        string input = Json(Header + payload);
        AssertRedacts(input, isRedacted ? Json(Header + payload[..64] + Marker(length)) : input);
    }

    [Theory]
    [InlineData(249, false)]
    [InlineData(250, true)]
    public void PayloadLength_EscapesCountTowardsTheThreshold(int plainLength, bool isRedacted)
    {
        // 250 characters plus one 6-character escape is exactly 256.
        string payload = Payload(plainLength) + "\\u002B";
        string input = Json(Header + payload);
        AssertRedacts(input, isRedacted ? Json(Header + payload[..64] + Marker(payload.Length)) : input);
    }

    [Theory]
    [InlineData(62, "\\u002B", 62)]
    [InlineData(58, "\\u002B", 64)]
    [InlineData(59, "\\u002F", 59)]
    [InlineData(63, "\\/", 63)]
    [InlineData(62, "\\/", 64)]
    [InlineData(63, "\\r\\n", 63)]
    [InlineData(61, "\\r\\n", 61)]
    [InlineData(60, "\\r\\n", 64)]
    public void Prefix_IsLongestWholeUnitPrefix(int leading, string unit, int expectedPrefix)
    {
        string payload = Payload(leading) + unit + Payload(300);
        string expected = Json(Header + payload[..expectedPrefix] + Marker(payload.Length));
        AssertRedacts(Json(Header + payload), expected);
        using var document = JsonDocument.Parse(expected);
    }

    [Theory]
    [InlineData("https://example.com/data:image/png;base64,abc")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("see https://example.com/a?x=data%3Aimage")]
    [InlineData("")]
    public void ShortOrNonDataUrls_AreUnchanged(string value)
    {
        string input = Json(value);
        AssertRedacts(input, input);
    }

    [Fact]
    public void InvalidEscapeInPayload_EndsThePayload()
    {
        string payload = Payload(300);
        AssertRedacts(Json(Header + payload + "\\u0041\\\\x"), Json(Header + payload[..64] + Marker(300) + "\\u0041\\\\x"));
    }

    [Fact]
    public void SeveralDataUrls_EachRedacted()
    {
        string a = Payload(300);
        string b = Payload(1000, UrlSafeAlphabet);
        string input = "[" + Json(Header + a) + "," + Json("data:audio/wav;base64," + b) + "," + Json(Header + a[..10]) + "]";
        string expected = "[" + Json(Header + a[..64] + Marker(300)) + "," + Json("data:audio/wav;base64," + b[..64] + Marker(1000)) + "," + Json(Header + a[..10]) + "]";
        AssertRedacts(input, expected);
        using var document = JsonDocument.Parse(expected);
    }

    [Fact]
    public void TextWithoutCandidates_PassesThroughUntouched()
    {
        string input = "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"data is datum: d a t a : ü 漢字\"}]}";
        Assert.False(Base64Redactor.ContainsCandidate(Encoding.UTF8.GetBytes(input)));
        AssertRedacts(input, input);
        Assert.Equal(input, Base64Redactor.RedactToString(Encoding.UTF8.GetBytes(input)));
    }

    [Fact]
    public void ContainsCandidate_FindsDataColonInAnyCaseAndPosition()
    {
        for (int offset = 0; offset < 80; offset++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(new string('x', offset) + "DaTa:" + new string('y', offset % 7));
            Assert.True(Base64Redactor.ContainsCandidate(bytes));
            bytes[offset + 4] = (byte)';';
            Assert.False(Base64Redactor.ContainsCandidate(bytes));
        }
    }

    [Fact]
    public void RedactToString_RedactsCompleteText()
    {
        string payload = Payload(300);
        Assert.Equal(Json(Header + payload[..64] + Marker(300)), Base64Redactor.RedactToString(Encoding.UTF8.GetBytes(Json(Header + payload))));
    }

    [Fact]
    public void LargePayloadInChunks_CountsEveryCharacterWithBoundedState()
    {
        const int Length = 10 * 1024 * 1024;
        byte[] input = Encoding.ASCII.GetBytes(Json(Header + Payload(Length)));
        var redactor = new Base64Redactor();
        int capacity = redactor.StateCapacity;
        Assert.Equal(Base64Redactor.MaxBufferedBytes, capacity);
        var output = new ArrayBufferWriter<byte>();
        var random = new Random(42);
        int position = 0;
        while (position < input.Length)
        {
            int size = Math.Min(random.Next(1, 70_000), input.Length - position);
            redactor.Redact(input.AsSpan(position, size), output, isFinalBlock: false);
            Assert.InRange(redactor.BufferedByteCount, 0, Base64Redactor.MaxBufferedBytes);
            Assert.Equal(capacity, redactor.StateCapacity);
            position += size;
        }

        redactor.Redact([], output, isFinalBlock: true);
        Assert.Equal(Json(Header + Payload(64) + Marker(Length)), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void RandomInputs_ChunkingNeverChangesTheResultAndStateStaysBounded()
    {
        var random = new Random(7);
        string[] pieces = ["data:", "DATA:", "image/png", ";base64,", "\\/", "\\u002B", "\\u003d", "\\u0041", "\\n", "\\r\\n", "\n", "\r\n", "\"", "x", " ", Payload(70), Payload(200), Payload(1030)];
        for (int round = 0; round < 60; round++)
        {
            var builder = new StringBuilder();
            int count = random.Next(1, 40);
            for (int i = 0; i < count; i++)
            {
                builder.Append(pieces[random.Next(pieces.Length)]);
            }

            string input = builder.ToString();
            string whole = RedactWhole(input);
            byte[] bytes = Encoding.UTF8.GetBytes(input);
            for (int split = 0; split < 10; split++)
            {
                var cuts = new List<int>();
                int position = 0;
                while ((position += random.Next(0, 50)) < bytes.Length)
                {
                    cuts.Add(position);
                }

                Assert.Equal(whole, RedactChunks(bytes, cuts));
            }
        }
    }

    [Fact]
    public void Reset_ForgetsHeldBytes()
    {
        var redactor = new Base64Redactor();
        var output = new ArrayBufferWriter<byte>();
        redactor.Redact(Encoding.ASCII.GetBytes(Header + Payload(100)), output, isFinalBlock: false);
        Assert.True(redactor.BufferedByteCount > 0);
        redactor.Reset();
        Assert.Equal(0, redactor.BufferedByteCount);
        output.Clear();
        redactor.Redact("plain"u8, output, isFinalBlock: true);
        Assert.Equal("plain", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
