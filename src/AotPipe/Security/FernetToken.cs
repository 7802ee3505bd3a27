using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Security;

/// <summary>
/// Fernet tokens (fernet/spec <c>Spec.md</c>) built on the BCL only: HMAC-SHA256 checked in constant time,
/// AES-128-CBC with PKCS7 padding, base64url with padding. Used to read Open WebUI <c>encrypted:</c> values and
/// artifacts written by the Python original (<c>enc_v: 1</c>).
/// </summary>
/// <remarks>
/// Token bytes: <c>0x80 | timestamp (uint64 BE, seconds) | IV (16) | AES-128-CBC(PKCS7(msg)) | HMAC-SHA256 (32)</c>; the
/// HMAC covers everything before it. Key: signing key (bytes 0-15) then encryption key (bytes 16-31). No TTL is
/// applied on decrypt, exactly as the Python callers pass none.
/// </remarks>
internal static class FernetToken
{
    /// <summary>Raw Fernet key length in bytes (the 44-character base64url form decodes to this).</summary>
    public const int KeySize = 32;

    /// <summary>AES-CBC initialisation vector length in bytes.</summary>
    public const int IvSize = 16;

    /// <summary>
    /// Shortest byte length a token can have: version, timestamp, IV and HMAC around an empty ciphertext
    /// (a real token always carries at least one 16-byte block, so this length still fails to decrypt).
    /// </summary>
    public const int MinTokenBytes = 1 + 8 + IvSize + HmacSize;

    private const byte Version = 0x80;
    private const int HmacSize = 32;
    private const int HeaderSize = 1 + 8 + IvSize;
    private const int BlockSize = 16;

    /// <summary>Derives a Fernet key the way Open WebUI and the Python original do: <c>SHA-256(UTF-8(secret))</c>.</summary>
    /// <param name="secret">The passphrase, used exactly as given.</param>
    /// <param name="key">Receives the <see cref="KeySize"/>-byte key.</param>
    public static void DeriveKeyFromSecret(ReadOnlySpan<char> secret, Span<byte> key)
    {
        if (key.Length < KeySize)
        {
            throw new ArgumentException("The key buffer is too small.", nameof(key));
        }

        int byteCount = Encoding.UTF8.GetByteCount(secret);
        byte[] rented = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            int written = Encoding.UTF8.GetBytes(secret, rented);
            SHA256.HashData(rented.AsSpan(0, written), key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, byteCount));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Encrypts with the current time and a random IV.</summary>
    /// <param name="key">The 32-byte Fernet key.</param>
    /// <param name="plaintext">The message.</param>
    /// <param name="time">Source of the token timestamp.</param>
    /// <returns>The padded base64url token.</returns>
    public static string Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, TimeProvider time)
    {
        Span<byte> iv = stackalloc byte[IvSize];
        RandomNumberGenerator.Fill(iv);
        return Encrypt(key, plaintext, time.GetUtcNow().ToUnixTimeSeconds(), iv);
    }

    /// <summary>Encrypts with an explicit timestamp and IV (deterministic, for test vectors).</summary>
    /// <param name="key">The 32-byte Fernet key.</param>
    /// <param name="plaintext">The message.</param>
    /// <param name="unixSeconds">The token timestamp.</param>
    /// <param name="iv">The 16-byte IV; never reuse one with the same key outside tests.</param>
    /// <returns>The padded base64url token.</returns>
    public static string Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, long unixSeconds, ReadOnlySpan<byte> iv)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("A Fernet key is 32 bytes.", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException("A Fernet IV is 16 bytes.", nameof(iv));
        }

        // PKCS7 always adds 1..16 bytes, so the ciphertext is the next whole block above the plaintext.
        int cipherLength = ((plaintext.Length / BlockSize) + 1) * BlockSize;
        int tokenLength = HeaderSize + cipherLength + HmacSize;
        byte[] token = ArrayPool<byte>.Shared.Rent(tokenLength);
        try
        {
            Span<byte> t = token.AsSpan(0, tokenLength);
            t[0] = Version;
            BinaryPrimitives.WriteUInt64BigEndian(t.Slice(1, 8), unchecked((ulong)unixSeconds));
            iv.CopyTo(t.Slice(9, IvSize));

            using (Aes aes = Aes.Create())
            {
                aes.Key = key.Slice(16, 16).ToArray();
                int written = aes.EncryptCbc(plaintext, iv, t.Slice(HeaderSize, cipherLength), PaddingMode.PKCS7);
                if (written != cipherLength)
                {
                    throw new CryptographicException("Unexpected ciphertext length.");
                }
            }

            HMACSHA256.HashData(key[..16], t[..(HeaderSize + cipherLength)], t[(HeaderSize + cipherLength)..]);
            return ToBase64UrlPadded(t);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(token, clearArray: true);
        }
    }

    /// <summary>Decrypts a token given as text (an <c>encrypted:</c> value without its prefix).</summary>
    /// <param name="key">The 32-byte Fernet key.</param>
    /// <param name="token">The base64url token; whitespace is skipped and missing padding is tolerated.</param>
    /// <param name="plaintext">The message when the result is true.</param>
    /// <returns>False for any malformed token, wrong key or tampering.</returns>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<char> token, out byte[] plaintext)
    {
        plaintext = [];
        byte[] ascii = ArrayPool<byte>.Shared.Rent(token.Length + 3);
        try
        {
            for (int i = 0; i < token.Length; i++)
            {
                char c = token[i];
                if (c > 0x7F)
                {
                    return false;
                }

                ascii[i] = (byte)c;
            }

            return TryDecryptAscii(key, ascii, token.Length, out plaintext);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(ascii);
        }
    }

    /// <summary>Decrypts a token given as UTF-8 (ASCII) bytes, as read from a stored JSON payload.</summary>
    /// <param name="key">The 32-byte Fernet key.</param>
    /// <param name="tokenUtf8">The base64url token bytes.</param>
    /// <param name="plaintext">The message when the result is true.</param>
    /// <returns>False for any malformed token, wrong key or tampering.</returns>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> tokenUtf8, out byte[] plaintext)
    {
        byte[] ascii = ArrayPool<byte>.Shared.Rent(tokenUtf8.Length + 3);
        try
        {
            tokenUtf8.CopyTo(ascii);
            return TryDecryptAscii(key, ascii, tokenUtf8.Length, out plaintext);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(ascii);
        }
    }

    /// <summary>Decodes and verifies a token held in <paramref name="buffer"/>, which has 3 spare bytes for padding.</summary>
    private static bool TryDecryptAscii(ReadOnlySpan<byte> key, byte[] buffer, int length, out byte[] plaintext)
    {
        plaintext = [];
        if (key.Length != KeySize || !TryDecodeBase64UrlInPlace(buffer, length, out int tokenLength))
        {
            return false;
        }

        ReadOnlySpan<byte> t = buffer.AsSpan(0, tokenLength);

        // Spec.md: version byte, then at least one whole cipher block between the header and the HMAC.
        if (t.Length < MinTokenBytes || (t.Length - MinTokenBytes) % BlockSize != 0 || t[0] != Version)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HmacSize];
        HMACSHA256.HashData(key[..16], t[..^HmacSize], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, t[^HmacSize..]))
        {
            return false;
        }

        ReadOnlySpan<byte> ciphertext = t[HeaderSize..^HmacSize];
        if (ciphertext.IsEmpty)
        {
            return false;
        }

        try
        {
            using Aes aes = Aes.Create();
            aes.Key = key.Slice(16, 16).ToArray();
            plaintext = aes.DecryptCbc(ciphertext, t.Slice(9, IvSize), PaddingMode.PKCS7);
            return true;
        }
        catch (CryptographicException)
        {
            // Only reachable with a valid HMAC over bad padding, i.e. a token forged with the signing key.
            return false;
        }
    }

    /// <summary>
    /// Decodes base64url (or standard base64) in place like Python's non-strict decoder: whitespace is skipped,
    /// <c>-</c>/<c>_</c> map to <c>+</c>/<c>/</c>, and missing padding is added. Any other foreign character fails.
    /// </summary>
    private static bool TryDecodeBase64UrlInPlace(byte[] buffer, int length, out int written)
    {
        int count = 0;
        for (int i = 0; i < length; i++)
        {
            byte b = buffer[i];
            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f' or (byte)'\v':
                    continue;
                case (byte)'-':
                    b = (byte)'+';
                    break;
                case (byte)'_':
                    b = (byte)'/';
                    break;
            }

            buffer[count++] = b;
        }

        while (count % 4 != 0)
        {
            buffer[count++] = (byte)'=';
        }

        return Base64.DecodeFromUtf8InPlace(buffer.AsSpan(0, count), out written) == OperationStatus.Done;
    }

    private static string ToBase64UrlPadded(ReadOnlySpan<byte> bytes) =>
        string.Create(Base64.GetMaxEncodedToUtf8Length(bytes.Length), bytes, static (chars, data) =>
        {
            _ = Convert.TryToBase64Chars(data, chars, out _);
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = chars[i] switch
                {
                    '+' => '-',
                    '/' => '_',
                    char c => c,
                };
            }
        });
}
