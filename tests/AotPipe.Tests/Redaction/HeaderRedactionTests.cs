using System.Security.Cryptography;
using System.Text;
using AotPipe.Redaction;
using Xunit;

namespace AotPipe.Tests.Redaction;

public sealed class HeaderRedactionTests
{
    private const string Key = "sk-or-v1-0123456789abcdef0123456789abcdef";

    private static string ExpectedFingerprint(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..HeaderRedaction.FingerprintHexLength];

    [Fact]
    public void BearerAuthorization_BecomesFingerprintWithoutAnyKeyCharacter()
    {
        string logged = HeaderRedaction.RedactHeaderValue("Authorization", "Bearer " + Key);
        Assert.Equal("Bearer " + ExpectedFingerprint(Key), logged);
        Assert.DoesNotContain("sk-", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[^8..], logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("authorization", "bearer abc", "bearer ")]
    [InlineData("X-Api-Key", "abc", "")]
    [InlineData("Cookie", "abc", "")]
    public void CredentialHeaders_AreFingerprinted(string name, string value, string expectedPrefix)
    {
        Assert.Equal(expectedPrefix + ExpectedFingerprint("abc"), HeaderRedaction.RedactHeaderValue(name, value));
    }

    [Theory]
    [InlineData("X-OpenWebUI-User-Id", "8d1f0c2e-4a55-4c21-9a0e-6b1d2f3c4e5f", "8d***(36)")]
    [InlineData("x-openwebui-chat-id", "abcde", "ab***(5)")]
    [InlineData("X-OpenWebUI-User-Email", "abcd", "***(4)")]
    [InlineData("X-OpenWebUI-Message-Id", "", "")]
    public void IdentityHeaders_AreMasked(string name, string value, string expected)
    {
        Assert.Equal(expected, HeaderRedaction.RedactHeaderValue(name, value));
    }

    [Fact]
    public void OtherHeaders_AreUnchanged()
    {
        Assert.Equal("text/event-stream", HeaderRedaction.RedactHeaderValue("Accept", "text/event-stream"));
    }
}
