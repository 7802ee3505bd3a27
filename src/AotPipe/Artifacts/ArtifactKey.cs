using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AotPipe.Security;

namespace AotPipe.Artifacts;

/// <summary>
/// Key material derived from one <c>ARTIFACT_ENCRYPTION_KEY</c> value: the HKDF master, its public key id, and
/// the legacy Fernet key the Python original used.
/// </summary>
/// <remarks>
/// <c>master = HKDF-Extract(SHA-256, salt = "aotpipe/v1", IKM = UTF-8(trimmed key))</c>;
/// <c>key id = HKDF-Expand(master, "aotpipe/key-id/v1")[0..4]</c>;
/// legacy Fernet key = <c>SHA-256(UTF-8(trimmed key))</c>. HKDF does not stretch a weak passphrase, hence <see cref="IsWeak"/>.
/// </remarks>
internal sealed class ArtifactKey
{
    /// <summary>
    /// Keys with fewer characters than this (after trimming) are weak: a short passphrase can be brute-forced offline
    /// from any stored ciphertext (SECURITY.md 2.3). Start-up warns about them.
    /// </summary>
    public const int MinStrongKeyLength = 32;

    /// <summary>Length of the HKDF master in bytes (SHA-256 output).</summary>
    public const int MasterSize = 32;

    /// <summary>Length of the key id in bytes.</summary>
    public const int KeyIdSize = 4;

    private static ReadOnlySpan<byte> ExtractSalt => "aotpipe/v1"u8;

    private static ReadOnlySpan<byte> KeyIdInfo => "aotpipe/key-id/v1"u8;

    private readonly byte[] _master;
    private readonly byte[] _keyId;
    private readonly byte[] _legacyFernetKey;

    private ArtifactKey(byte[] master, byte[] keyId, byte[] legacyFernetKey, bool isWeak)
    {
        _master = master;
        _keyId = keyId;
        _legacyFernetKey = legacyFernetKey;
        IsWeak = isWeak;
    }

    /// <summary>Whether the trimmed key is shorter than <see cref="MinStrongKeyLength"/> characters.</summary>
    public bool IsWeak { get; }

    /// <summary>The key id as a big-endian integer (for logs and diagnostics; it reveals nothing about the key).</summary>
    public uint KeyIdValue => BinaryPrimitives.ReadUInt32BigEndian(_keyId);

    /// <summary>The 4-byte key id written into every envelope header.</summary>
    public ReadOnlySpan<byte> KeyId => _keyId;

    /// <summary>The HKDF master (pseudo-random key) from which per-record keys are derived.</summary>
    internal ReadOnlySpan<byte> Master => _master;

    /// <summary>The 32-byte Fernet key of the Python original's <c>enc_v: 1</c> rows.</summary>
    internal ReadOnlySpan<byte> LegacyFernetKey => _legacyFernetKey;

    /// <summary>Whether <paramref name="key"/> is configured but weak (null or blank means no key, not a weak one).</summary>
    /// <param name="key">The raw setting value.</param>
    /// <returns>True when the trimmed key has 1 to <see cref="MinStrongKeyLength"/> − 1 characters.</returns>
    public static bool IsWeakKey(string? key)
    {
        if (key is null)
        {
            return false;
        }

        int length = key.AsSpan().Trim().Length;
        return length is > 0 and < MinStrongKeyLength;
    }

    /// <summary>Derives the key material from a setting value.</summary>
    /// <param name="key">The raw <c>ARTIFACT_ENCRYPTION_KEY</c>; surrounding whitespace is trimmed first.</param>
    /// <returns>The derived key.</returns>
    /// <exception cref="ArgumentException">The key is blank.</exception>
    public static ArtifactKey FromString(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ReadOnlySpan<char> trimmed = key.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            throw new ArgumentException("The artifact key is blank.", nameof(key));
        }

        int byteCount = Encoding.UTF8.GetByteCount(trimmed);
        byte[] ikm = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            int written = Encoding.UTF8.GetBytes(trimmed, ikm);
            ReadOnlySpan<byte> material = ikm.AsSpan(0, written);

            byte[] master = new byte[MasterSize];
            _ = HKDF.Extract(HashAlgorithmName.SHA256, material, ExtractSalt, master);

            byte[] keyId = new byte[KeyIdSize];
            HKDF.Expand(HashAlgorithmName.SHA256, master, keyId, KeyIdInfo);

            byte[] legacy = new byte[FernetToken.KeySize];
            SHA256.HashData(material, legacy);

            return new ArtifactKey(master, keyId, legacy, trimmed.Length < MinStrongKeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm.AsSpan(0, byteCount));
            ArrayPool<byte>.Shared.Return(ikm);
        }
    }
}
