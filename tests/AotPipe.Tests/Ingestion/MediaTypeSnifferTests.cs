using AotPipe.Ingestion;
using Xunit;

namespace AotPipe.Tests.Ingestion;

public sealed class MediaTypeSnifferTests
{
    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "text/plain", "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, null, "image/jpeg")]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a' }, null, "image/gif")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, null, "image/webp")]
    [InlineData(new byte[] { (byte)'%', (byte)'P', (byte)'D', (byte)'F', (byte)'-' }, null, "application/pdf")]
    [InlineData(new byte[] { 1, 2, 3 }, "Image/SVG+xml; charset=utf-8", "image/svg+xml")]
    [InlineData(new byte[] { 1, 2, 3 }, null, "application/octet-stream")]
    [InlineData(new byte[] { 1, 2, 3 }, "garbage", "application/octet-stream")]
    public void Detect_PrefersMagicThenContentType(byte[] content, string? contentType, string expected) =>
        Assert.Equal(expected, MediaTypeSniffer.Detect(content, contentType));
}
