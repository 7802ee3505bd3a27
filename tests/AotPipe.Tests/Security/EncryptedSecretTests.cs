using System.Text.Json;
using AotPipe.Security;
using Microsoft.Extensions.Time.Testing;

using Xunit;

namespace AotPipe.Tests.Security;

public sealed class EncryptedSecretTests
{
    private const string SpecValue =
        "encrypted:gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD36i6-BD-bfYnuhpVZ3XahIAZc8lwFsqAoik_oVoeBPQFi6mG8sQSM4dzzksin-NlWs6dP9LDwFzOnt2oI2ag44=";

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("sk-or-v1-abc", false)]
    [InlineData("Encrypted:abc", false)]
    [InlineData("encrypted:", true)]
    [InlineData("encrypted:gAAAA", true)]
    public void IsEncrypted_ChecksOrdinalPrefix(string? value, bool expected) => Assert.Equal(expected, EncryptedSecret.IsEncrypted(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sk-or-v1-plain")]
    public void Resolve_PlainValue_PassesUnchanged(string? value)
    {
        Assert.Equal(SecretResolution.Plain, EncryptedSecret.Resolve("OPENROUTER_API_KEY", value, null, out string? plaintext));
        Assert.Equal(value, plaintext);
    }

    [Fact]
    public void Resolve_SecurityMdVector_Decrypts()
    {
        Assert.Equal(SecretResolution.Decrypted, EncryptedSecret.Resolve("OPENROUTER_API_KEY", SpecValue, "t0p-secret", out string? plaintext));
        Assert.Equal("sk-or-v1-0123456789abcdef", plaintext);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Resolve_KeyMissing_ReturnsNoPlaintext(string? key)
    {
        Assert.Equal(SecretResolution.SecretKeyMissing, EncryptedSecret.Resolve("OPENROUTER_API_KEY", SpecValue, key, out string? plaintext));
        Assert.Null(plaintext);
    }

    [Theory]
    [InlineData("other")]
    [InlineData("t0p-secret ")]
    public void Resolve_WrongKey_ReturnsNoPlaintext(string key)
    {
        Assert.Equal(SecretResolution.SecretKeyWrongOrValueCorrupt, EncryptedSecret.Resolve("API_KEY", SpecValue, key, out string? plaintext));
        Assert.Null(plaintext);
    }

    [Theory]
    [InlineData("encrypted:")]
    [InlineData("encrypted:not-a-token")]
    public void Resolve_CorruptValue_ReturnsNoPlaintext(string value)
    {
        Assert.Equal(SecretResolution.SecretKeyWrongOrValueCorrupt, EncryptedSecret.Resolve("API_KEY", value, "t0p-secret", out string? plaintext));
        Assert.Null(plaintext);
    }

    [Fact]
    public void Resolve_DecryptsToInvalidUtf8_IsCorrupt()
    {
        byte[] key = FernetTokenTests.Key("t0p-secret");
        string value = "encrypted:" + FernetToken.Encrypt(key, [0xFF, 0xFE], 1700000000, new byte[16]);

        Assert.Equal(SecretResolution.SecretKeyWrongOrValueCorrupt, EncryptedSecret.Resolve("API_KEY", value, "t0p-secret", out string? plaintext));
        Assert.Null(plaintext);
    }

    [Fact]
    public void Resolve_PythonEncryptedStrVectors_Decrypt()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "crypto", "fernet-vectors.json")));
        foreach (JsonElement v in doc.RootElement.GetProperty("encrypted_str").EnumerateArray())
        {
            SecretResolution r = EncryptedSecret.Resolve("API_KEY", v.GetProperty("value").GetString(), v.GetProperty("webui_secret_key").GetString(), out string? plaintext);
            Assert.Equal(SecretResolution.Decrypted, r);
            Assert.Equal(v.GetProperty("plaintext").GetString(), plaintext);
        }
    }

    [Theory]
    [InlineData(nameof(SecretResolution.SecretKeyMissing), "not set")]
    [InlineData(nameof(SecretResolution.SecretKeyWrongOrValueCorrupt), "changed")]
    public void DescribeFailure_NamesSettingAndCause_WithoutValue(string resolutionName, string cause)
    {
        SecretResolution resolution = Enum.Parse<SecretResolution>(resolutionName);
        string message = EncryptedSecret.DescribeFailure("SESSION_LOG_ZIP_PASSWORD", resolution);

        Assert.Contains("SESSION_LOG_ZIP_PASSWORD", message, StringComparison.Ordinal);
        Assert.Contains("WEBUI_SECRET_KEY", message, StringComparison.Ordinal);
        Assert.Contains(cause, message, StringComparison.Ordinal);
        Assert.DoesNotContain("gAAAA", message, StringComparison.Ordinal);
        Assert.DoesNotContain(SpecValue[10..30], message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(SecretResolution.Plain))]
    [InlineData(nameof(SecretResolution.Decrypted))]
    public void DescribeFailure_Success_Throws(string resolutionName) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EncryptedSecret.DescribeFailure("API_KEY", Enum.Parse<SecretResolution>(resolutionName)));

    [Fact]
    public void Encrypt_RoundTripsThroughResolve()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000));

        string value = EncryptedSecret.Encrypt("pässwörd ✓", "abcDEF0123456789", time);

        Assert.StartsWith("encrypted:gAAAAABlU_EA", value, StringComparison.Ordinal);
        Assert.Equal(SecretResolution.Decrypted, EncryptedSecret.Resolve("API_KEY", value, "abcDEF0123456789", out string? plaintext));
        Assert.Equal("pässwörd ✓", plaintext);
    }

    [Fact]
    public void Encrypt_AlreadyEncrypted_ReturnsUnchanged() =>
        Assert.Equal(SpecValue, EncryptedSecret.Encrypt(SpecValue, "t0p-secret", TimeProvider.System));
}
