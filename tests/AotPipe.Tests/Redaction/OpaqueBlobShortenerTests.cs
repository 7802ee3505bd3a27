using System.Text;
using System.Text.Json;
using AotPipe.Redaction;
using Xunit;

namespace AotPipe.Tests.Redaction;

public sealed class OpaqueBlobShortenerTests
{
    private static string Blob(int length) => string.Concat(Enumerable.Range(0, length).Select(i => (char)('A' + (i % 26))));

    private static string Shorten(string json) => OpaqueBlobShortener.ShortenToString(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("encrypted_content")]
    [InlineData("signature")]
    public void BlobPastLimit_KeepsPrefixAndLength(string key)
    {
        string blob = Blob(OpaqueBlobShortener.MaxUnshortenedLength + 1);
        string json = "{\"type\":\"reasoning\",\"" + key + "\":\"" + blob + "\",\"id\":\"rs_1\"}";
        string shortened = Shorten(json);
        Assert.Equal("{\"type\":\"reasoning\",\"" + key + "\":\"" + blob[..64] + "…[REDACTED](257 chars)…\",\"id\":\"rs_1\"}", shortened);
        using var document = JsonDocument.Parse(shortened);
    }

    [Fact]
    public void BlobAtLimit_IsUnchanged()
    {
        string json = "{\"encrypted_content\":\"" + Blob(OpaqueBlobShortener.MaxUnshortenedLength) + "\"}";
        Assert.Equal(json, Shorten(json));
    }

    [Fact]
    public void OtherKeysAndNonStringValues_AreUnchanged()
    {
        string json = "{\"content\":\"" + Blob(1000) + "\",\"signature\":{\"a\":\"" + Blob(1000) + "\"},\"encrypted_content\":null}";
        Assert.Equal(json, Shorten(json));
    }

    [Fact]
    public void NestedBlobs_AreAllShortenedAndEscapedLengthIsDecodedLength()
    {
        string escaped = string.Concat(Enumerable.Repeat("ab\\u002Bcd", 60));
        string json = "{\"output\":[{\"encrypted_content\":\"" + escaped + "\"},{\"x\":[1,2],\"signature\":\"" + Blob(300) + "\"}]}";
        string shortened = Shorten(json);
        using var document = JsonDocument.Parse(shortened);
        string first = document.RootElement.GetProperty("output")[0].GetProperty("encrypted_content").GetString()!;
        Assert.Equal(string.Concat(Enumerable.Repeat("ab+cd", 60))[..64] + "…[REDACTED](300 chars)…", first);
        string second = document.RootElement.GetProperty("output")[1].GetProperty("signature").GetString()!;
        Assert.Equal(Blob(64) + "…[REDACTED](300 chars)…", second);
    }

    [Fact]
    public void InvalidJson_ShortensUpToTheErrorAndCopiesTheRest()
    {
        string json = "{\"signature\":\"" + Blob(300) + "\",\"broken\":";
        Assert.Equal("{\"signature\":\"" + Blob(64) + "…[REDACTED](300 chars)…\",\"broken\":", Shorten(json));
    }
}
