using System.Text;
using System.Text.Json;
using AotPipe.Security;

using Xunit;

namespace AotPipe.Tests.Security;

public sealed class FernetTokenTests
{
    private const string SpecToken =
        "gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD36i6-BD-bfYnuhpVZ3XahIAZc8lwFsqAoik_oVoeBPQFi6mG8sQSM4dzzksin-NlWs6dP9LDwFzOnt2oI2ag44=";

    public static TheoryData<int> EncryptVectorIndexes() => Indexes("encrypt");

    public static TheoryData<int> DecryptVectorIndexes() => Indexes("decrypt");

    [Fact]
    public void DeriveKeyFromSecret_MatchesSecurityMdVector()
    {
        byte[] key = Key("t0p-secret");

        Assert.Equal("6e3d94bef6512e22c2e9503f42a11e6f", Convert.ToHexStringLower(key.AsSpan(0, 16)));
        Assert.Equal("047907cee8bf0721aeaf29256b9030ae", Convert.ToHexStringLower(key.AsSpan(16, 16)));
        Assert.Equal("bj2UvvZRLiLC6VA_QqEebwR5B87ovwchrq8pJWuQMK4=", Convert.ToBase64String(key).Replace('+', '-').Replace('/', '_'));
    }

    [Fact]
    public void Encrypt_SecurityMdVector_ProducesExactToken()
    {
        byte[] iv = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

        string token = FernetToken.Encrypt(Key("t0p-secret"), "sk-or-v1-0123456789abcdef"u8, 1700000000, iv);

        Assert.Equal(SpecToken, token);
    }

    [Fact]
    public void TryDecrypt_SecurityMdVector_ReturnsPlaintext()
    {
        Assert.True(FernetToken.TryDecrypt(Key("t0p-secret"), SpecToken.AsSpan(), out byte[] plaintext));
        Assert.Equal("sk-or-v1-0123456789abcdef", Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void TryDecrypt_OtherKey_FailsHmac()
    {
        Assert.False(FernetToken.TryDecrypt(Key("other"), SpecToken.AsSpan(), out byte[] plaintext));
        Assert.Empty(plaintext);
    }

    [Theory]
    [MemberData(nameof(EncryptVectorIndexes))]
    public void Encrypt_PythonVector_MatchesByteForByte(int index)
    {
        JsonElement v = Vector("encrypt", index);
        byte[] key = Convert.FromBase64String(v.GetProperty("fernet_key").GetString()!.Replace('-', '+').Replace('_', '/'));
        Assert.Equal(key, Key(v.GetProperty("secret").GetString()!));
        byte[] plaintext = Convert.FromHexString(v.GetProperty("plaintext_hex").GetString()!);

        string token = FernetToken.Encrypt(key, plaintext, v.GetProperty("timestamp").GetInt64(), Convert.FromHexString(v.GetProperty("iv_hex").GetString()!));

        Assert.Equal(v.GetProperty("token").GetString(), token);
        Assert.True(FernetToken.TryDecrypt(key, token.AsSpan(), out byte[] back));
        Assert.Equal(plaintext, back);
    }

    [Theory]
    [MemberData(nameof(DecryptVectorIndexes))]
    public void TryDecrypt_PythonVector_AgreesWithPython(int index)
    {
        JsonElement v = Vector("decrypt", index);
        string name = v.GetProperty("name").GetString()!;
        byte[] key = Convert.FromBase64String(v.GetProperty("fernet_key").GetString()!.Replace('-', '+').Replace('_', '/'));

        bool accepted = FernetToken.TryDecrypt(key, v.GetProperty("token").GetString().AsSpan(), out byte[] plaintext);

        // SECURITY.md 3.4 step 1 pads a token that lost its '=' padding; Python refuses it. Everything else agrees.
        bool expected = name == "unpadded" || v.GetProperty("python_accepts").GetBoolean();
        Assert.Equal(expected, accepted);
        if (accepted)
        {
            Assert.Equal(v.GetProperty("plaintext_hex").GetString(), Convert.ToHexStringLower(plaintext));
        }
    }

    [Fact]
    public void TryDecrypt_Utf8Overload_MatchesCharOverload()
    {
        Assert.True(FernetToken.TryDecrypt(Key("t0p-secret"), Encoding.ASCII.GetBytes(SpecToken).AsSpan(), out byte[] plaintext));
        Assert.Equal("sk-or-v1-0123456789abcdef", Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void TryDecrypt_NonAsciiCharacter_Fails()
    {
        Assert.False(FernetToken.TryDecrypt(Key("t0p-secret"), (SpecToken[..10] + "é" + SpecToken[10..]).AsSpan(), out _));
    }

    [Fact]
    public void TryDecrypt_EveryTruncation_Fails()
    {
        byte[] key = Key("t0p-secret");
        for (int length = 0; length < SpecToken.Length - 1; length++)
        {
            Assert.False(FernetToken.TryDecrypt(key, SpecToken.AsSpan(0, length), out _), $"length {length}");
        }
    }

    [Fact]
    public void Encrypt_WithTimeProvider_UsesClockAndRandomIv()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000));
        byte[] key = Key("t0p-secret");

        string a = FernetToken.Encrypt(key, "x"u8, time);
        string b = FernetToken.Encrypt(key, "x"u8, time);

        Assert.NotEqual(a, b);
        Assert.StartsWith("gAAAAABlU_EA", a, StringComparison.Ordinal);
        Assert.True(FernetToken.TryDecrypt(key, a.AsSpan(), out byte[] back));
        Assert.Equal("x"u8.ToArray(), back);
    }

    internal static byte[] Key(string secret)
    {
        byte[] key = new byte[FernetToken.KeySize];
        FernetToken.DeriveKeyFromSecret(secret, key);
        return key;
    }

    private static JsonElement Vector(string section, int index) => Load().GetProperty(section)[index];

    private static TheoryData<int> Indexes(string section)
    {
        TheoryData<int> data = [];
        for (int i = 0; i < Load().GetProperty(section).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static JsonElement Load() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "crypto", "fernet-vectors.json"))).RootElement;
}
