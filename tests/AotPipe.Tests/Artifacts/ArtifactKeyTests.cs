using AotPipe.Artifacts;

using Xunit;

namespace AotPipe.Tests.Artifacts;

public sealed class ArtifactKeyTests
{
    [Fact]
    public void FromString_MatchesIndependentHkdf()
    {
        // Computed with Python's hmac module: PRK = HMAC(salt "aotpipe/v1", key); id = HMAC(PRK, "aotpipe/key-id/v1" 0x01)[0..4].
        ArtifactKey key = ArtifactKey.FromString("artifact-key-1");

        Assert.Equal("7e2827fe1bd9f4d3be14d5b13179f25be9db027d1f684a2894f904bb7f6acf26", Convert.ToHexStringLower(key.Master));
        Assert.Equal("754d0a69", Convert.ToHexStringLower(key.KeyId));
        Assert.Equal(0x754d0a69u, key.KeyIdValue);
    }

    [Fact]
    public void FromString_TrimsWhitespace()
    {
        Assert.Equal(
            Convert.ToHexStringLower(ArtifactKey.FromString("artifact-key-1").Master),
            Convert.ToHexStringLower(ArtifactKey.FromString(" \tartifact-key-1\r\n").Master));
    }

    [Fact]
    public void FromString_LegacyFernetKey_IsSha256OfTrimmedKey()
    {
        ArtifactKey key = ArtifactKey.FromString(" artifact-key-1 ");

        Assert.Equal(System.Security.Cryptography.SHA256.HashData("artifact-key-1"u8), key.LegacyFernetKey.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void FromString_Blank_Throws(string key) => Assert.Throws<ArgumentException>(() => ArtifactKey.FromString(key));

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("a", true)]
    [InlineData("0123456789012345678901234567890", true)] // 31 = one below the limit
    [InlineData("01234567890123456789012345678901", false)] // 32 = the limit
    [InlineData("  0123456789012345678901234567890  ", true)] // trimmed to 31
    public void IsWeakKey_UsesTrimmedLengthAgainstLimit(string? key, bool weak)
    {
        Assert.Equal(weak, ArtifactKey.IsWeakKey(key));
        Assert.Equal(weak, ArtifactPayloadCodec.IsWeakKey(key));
        if (!string.IsNullOrWhiteSpace(key))
        {
            Assert.Equal(weak, ArtifactKey.FromString(key).IsWeak);
        }
    }

    [Fact]
    public void Keyring_FindsCurrentAndPreviousById()
    {
        ArtifactKey current = ArtifactKey.FromString("current-key-0123456789abcdefghijklmnop");
        ArtifactKey previous = ArtifactKey.FromString("previous-key-0123456789abcdefghijklmnop");
        ArtifactKeyring ring = new(current, previous);

        Assert.True(ring.TryFind(current.KeyId, out ArtifactKey? a));
        Assert.Same(current, a);
        Assert.True(ring.TryFind(previous.KeyId, out ArtifactKey? b));
        Assert.Same(previous, b);
        Assert.False(ring.TryFind([0, 0, 0, 0], out _));
        Assert.Null(new ArtifactKeyring(current, ArtifactKey.FromString(" current-key-0123456789abcdefghijklmnop ")).Previous);
    }
}
