using AotPipe.Security.Auth;
using Xunit;

namespace AotPipe.Tests.Security.Auth;

public sealed class ApiKeyRingTests
{
    private static readonly ApiKeyRing s_ring = new(ApiKeyParser.Parse("alpha:sk-alpha,beta:sk-beta,gamma:sha256:" +
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("sk-gamma"u8))));

    [Theory]
    [InlineData("sk-alpha", "alpha")]
    [InlineData("sk-beta", "beta")]
    [InlineData("sk-gamma", "gamma")]
    public void RightKey_ReturnsItsTenant(string key, string tenant) => Assert.Equal(tenant, s_ring.Match(key));

    [Theory]
    [InlineData("")]
    [InlineData("sk-alph")]
    [InlineData("sk-alphaa")]
    [InlineData("SK-ALPHA")]
    public void WrongKey_Null(string key) => Assert.Null(s_ring.Match(key));

    [Fact]
    public void KeyAtLengthLimit_Hashed_OnePast_Refused()
    {
        var longKey = new string('k', ApiKeyRing.MaxPresentedKeyChars);
        var ring = new ApiKeyRing(ApiKeyParser.Parse("long:" + longKey + ",longer:" + longKey + "k"));

        Assert.Equal("long", ring.Match(longKey));
        Assert.Null(ring.Match(longKey + "k"));
    }

    [Fact]
    public void NoEntries_Disabled() => Assert.False(new ApiKeyRing([]).IsEnabled);
}
