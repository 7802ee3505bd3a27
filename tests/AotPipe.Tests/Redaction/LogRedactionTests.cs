using System.Text;
using AotPipe.Redaction;
using Xunit;

namespace AotPipe.Tests.Redaction;

public sealed class LogRedactionTests
{
    [Fact]
    public void BelowMinLength_SameInstanceReturned()
    {
        string text = "data:image/png;base64," + new string('A', LogRedaction.MinRedactableLength - 23);
        Assert.Equal(LogRedaction.MinRedactableLength - 1, text.Length);
        Assert.Same(text, LogRedaction.RedactText(text));
    }

    [Fact]
    public void PayloadAtThreshold_Redacted_OneBelow_Unchanged()
    {
        string below = "x data:image/png;base64," + new string('A', Base64Redactor.RedactThreshold - 1);
        string at = "x data:image/png;base64," + new string('A', Base64Redactor.RedactThreshold);
        Assert.Equal(below, LogRedaction.RedactText(below));
        Assert.Equal("x data:image/png;base64," + new string('A', 64) + "…[REDACTED](256 chars)…", LogRedaction.RedactText(at));
    }

    [Fact]
    public void TextWithoutCandidates_SameInstanceReturned()
    {
        string text = new('z', 1000);
        Assert.Same(text, LogRedaction.RedactText(text));
    }

    [Fact]
    public void JsonAfterPrefix_OpaqueBlobShortened_BlobAtLimitKept()
    {
        string atLimit = new('k', OpaqueBlobShortener.MaxUnshortenedLength);
        string over = new('s', OpaqueBlobShortener.MaxUnshortenedLength + 1);
        string text = "payload: {\"a\":{\"signature\":\"" + atLimit + "\"},\"encrypted_content\":\"" + over + "\"} trailing";
        string redacted = LogRedaction.RedactText(text);
        Assert.Contains(atLimit, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(over, redacted, StringComparison.Ordinal);
        Assert.Contains("…[REDACTED](257 chars)…", redacted, StringComparison.Ordinal);
        Assert.EndsWith("} trailing", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8Document_DataUrlAndBlobBothRedacted()
    {
        string image = Convert.ToBase64String(new byte[300]);
        string blob = new('e', 500);
        var json = Encoding.UTF8.GetBytes("{\"image_url\":\"data:image/jpeg;base64," + image + "\",\"encrypted_content\":\"" + blob + "\"}");
        string redacted = LogRedaction.RedactUtf8(json);
        Assert.DoesNotContain(image, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(blob, redacted, StringComparison.Ordinal);
        Assert.Equal(2, redacted.Split("[REDACTED]").Length - 1);
    }
}
