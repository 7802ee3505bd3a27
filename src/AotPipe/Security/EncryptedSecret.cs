using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Security;

/// <summary>
/// Open WebUI's <c>EncryptedStr</c> values (<c>encrypted:</c> + a Fernet token keyed by
/// <c>urlsafe_b64(SHA-256(UTF-8(WEBUI_SECRET_KEY)))</c>), as the Python original reads and writes them.
/// </summary>
/// <remarks>
/// Unlike the Python original, an <c>encrypted:</c> value that cannot be decrypted is never handed back as if it
/// were the secret (the original returns the bare token when the key is missing and the whole string when it is
/// wrong); the caller fails start-up naming the setting instead.
/// </remarks>
internal static class EncryptedSecret
{
    /// <summary>The marker that starts every encrypted value.</summary>
    public const string Prefix = "encrypted:";

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether <paramref name="value"/> carries the <c>encrypted:</c> prefix.</summary>
    /// <param name="value">A setting value, possibly null.</param>
    /// <returns>True for an encrypted value.</returns>
    public static bool IsEncrypted(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Resolves one secret setting to the plaintext the gateway uses.</summary>
    /// <param name="settingName">The setting's name (kept for symmetry with <see cref="DescribeFailure"/>).</param>
    /// <param name="value">The configured value; plain values pass unchanged.</param>
    /// <param name="webuiSecretKey">The <c>WEBUI_SECRET_KEY</c> value, used exactly as given.</param>
    /// <param name="plaintext">The usable value for <see cref="SecretResolution.Plain"/> and
    /// <see cref="SecretResolution.Decrypted"/>; null otherwise, never the undecryptable text.</param>
    /// <returns>What happened; the two failure members must stop start-up.</returns>
    public static SecretResolution Resolve(string settingName, string? value, string? webuiSecretKey, out string? plaintext)
    {
        _ = settingName;
        if (!IsEncrypted(value))
        {
            plaintext = value;
            return SecretResolution.Plain;
        }

        plaintext = null;
        if (string.IsNullOrEmpty(webuiSecretKey))
        {
            return SecretResolution.SecretKeyMissing;
        }

        Span<byte> key = stackalloc byte[FernetToken.KeySize];
        FernetToken.DeriveKeyFromSecret(webuiSecretKey, key);
        try
        {
            if (!FernetToken.TryDecrypt(key, value.AsSpan(Prefix.Length), out byte[] bytes))
            {
                return SecretResolution.SecretKeyWrongOrValueCorrupt;
            }

            try
            {
                // Python's bytes.decode() is strict, and a value that is not UTF-8 is not the secret that was encrypted.
                plaintext = s_strictUtf8.GetString(bytes);
                return SecretResolution.Decrypted;
            }
            catch (DecoderFallbackException)
            {
                return SecretResolution.SecretKeyWrongOrValueCorrupt;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Builds the operator message for a failed resolution. It never contains any part of the value.</summary>
    /// <param name="settingName">The setting's environment variable name.</param>
    /// <param name="resolution">One of the two failure members.</param>
    /// <returns>A one-line message naming the setting and the cause.</returns>
    public static string DescribeFailure(string settingName, SecretResolution resolution) => resolution switch
    {
        SecretResolution.SecretKeyMissing =>
            $"{settingName} is an encrypted value (encrypted:...) but WEBUI_SECRET_KEY is not set; " +
            "set WEBUI_SECRET_KEY to the key that encrypted it, or give the value in plain text.",
        SecretResolution.SecretKeyWrongOrValueCorrupt =>
            $"{settingName} is an encrypted value (encrypted:...) that WEBUI_SECRET_KEY cannot decrypt: " +
            "the secret key is not the one that encrypted it (it was changed) or the value is damaged; " +
            "restore the original WEBUI_SECRET_KEY or re-encrypt the value with 'aotpipe encrypt-secret'.",
        _ => throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "Only failures have a description."),
    };

    /// <summary>Encrypts a secret into the <c>encrypted:</c> form Open WebUI reads.</summary>
    /// <param name="plaintext">The secret; a value that is already encrypted comes back unchanged (as in Python).</param>
    /// <param name="webuiSecretKey">The non-empty <c>WEBUI_SECRET_KEY</c>.</param>
    /// <param name="time">Source of the token timestamp.</param>
    /// <returns><c>encrypted:</c> followed by a Fernet token.</returns>
    public static string Encrypt(string plaintext, string webuiSecretKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentException.ThrowIfNullOrEmpty(webuiSecretKey);
        if (IsEncrypted(plaintext))
        {
            return plaintext;
        }

        Span<byte> key = stackalloc byte[FernetToken.KeySize];
        FernetToken.DeriveKeyFromSecret(webuiSecretKey, key);
        byte[] bytes = Encoding.UTF8.GetBytes(plaintext);
        try
        {
            return Prefix + FernetToken.Encrypt(key, bytes, time);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
