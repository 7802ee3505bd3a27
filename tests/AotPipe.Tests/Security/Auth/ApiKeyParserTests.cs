using System.Security.Cryptography;
using System.Text;
using AotPipe.Configuration;
using AotPipe.Security.Auth;
using Xunit;

namespace AotPipe.Tests.Security.Auth;

public sealed class ApiKeyParserTests
{
    private static string Sha256Hex(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Unset_NoEntries(string? value) => Assert.Empty(ApiKeyParser.Parse(value));

    [Fact]
    public void PlainAndHashed_BothParsed_KeyHashed()
    {
        var entries = ApiKeyParser.Parse($"alpha:sk-alpha , beta:sha256:{Sha256Hex("sk-beta").ToUpperInvariant()}");

        Assert.Equal(["alpha", "beta"], entries.Select(e => e.Name));
        Assert.Equal(SHA256.HashData("sk-alpha"u8), entries[0].KeyHash);
        Assert.Equal(SHA256.HashData("sk-beta"u8), entries[1].KeyHash);
    }

    [Fact]
    public void KeyWithColons_KeptWhole()
    {
        var entries = ApiKeyParser.Parse("team:a:b:c");

        Assert.Equal(SHA256.HashData("a:b:c"u8), Assert.Single(entries).KeyHash);
    }

    [Theory]
    [InlineData("alpha:one,alpha:two", "duplicate name alpha")]
    [InlineData(":key", "empty or invalid name")]
    [InlineData("noseparator", "is not name:key")]
    [InlineData("alpha:", "empty key")]
    [InlineData("alpha:sha256:abc", "not 64 hex")]
    [InlineData("al pha:key", "empty or invalid name")]
    [InlineData("a/b:key", "empty or invalid name")]
    public void Malformed_ThrowsNamingSetting_NeverTheKey(string value, string expected)
    {
        var error = Assert.Throws<SettingsException>(() => ApiKeyParser.Parse(value));

        Assert.Equal("AOTPIPE_API_KEYS", error.SettingName);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("one", error.Message.Replace("duplicate", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void HashWith63And65HexDigits_Rejected_64Accepted()
    {
        var hex = Sha256Hex("k");

        Assert.Single(ApiKeyParser.Parse("a:sha256:" + hex));
        Assert.Throws<SettingsException>(() => ApiKeyParser.Parse("a:sha256:" + hex[..63]));
        Assert.Throws<SettingsException>(() => ApiKeyParser.Parse("a:sha256:" + hex + "0"));
    }

    [Fact]
    public void NameAtLengthLimit_Accepted_OnePast_Rejected()
    {
        Assert.Single(ApiKeyParser.Parse(new string('n', ApiKeyParser.MaxNameLength) + ":k"));
        Assert.Throws<SettingsException>(() => ApiKeyParser.Parse(new string('n', ApiKeyParser.MaxNameLength + 1) + ":k"));
    }

    [Fact]
    public void AtFile_OneEntryPerLine_CommentsAndBlanksSkipped_DuplicatesAcrossSourcesRejected()
    {
        var path = Path.Combine(Path.GetTempPath(), "aotpipe-keys-" + Guid.NewGuid().ToString("N"));
        File.WriteAllLines(path, ["# tenants", "alpha:sk-a", "", "  beta:sk-b  "]);
        try
        {
            var entries = ApiKeyParser.Parse("@" + path + ",gamma:sk-c");
            Assert.Equal(["alpha", "beta", "gamma"], entries.Select(e => e.Name));

            var error = Assert.Throws<SettingsException>(() => ApiKeyParser.Parse("@" + path + ",beta:other"));
            Assert.Contains("duplicate name beta", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AtMissingFile_Throws()
    {
        var error = Assert.Throws<SettingsException>(() => ApiKeyParser.Parse("@/nonexistent/aotpipe-keys"));

        Assert.Equal("AOTPIPE_API_KEYS", error.SettingName);
    }
}
