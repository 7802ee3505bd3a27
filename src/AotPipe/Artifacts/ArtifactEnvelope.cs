using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace AotPipe.Artifacts;

/// <summary>
/// Seals and opens the <c>enc_v: 2</c> artifact envelope of DESIGN.md section 4 with AES-256-GCM under a
/// per-record HKDF key. Sizes are known up front, so both directions write into caller buffers.
/// </summary>
/// <remarks>
/// Layout:
/// <code>
/// offset  size  field
///      0     1  version = 0x02
///      1     1  algorithm = 0x01 (AES-256-GCM, HKDF-SHA256 per-record key)
///      2     4  key id
///      6     1  flags (bit0 LZ4 frame, bit1 Zstd frame, never both)
///      7    32  HKDF salt (random per record)
///     39    12  GCM nonce (random per record)
///     51     n  ciphertext
///   51+n    16  tag
/// </code>
/// Per-record key = <c>HKDF-SHA256(IKM = master, salt, info = "aotpipe/artifact/aes-256-gcm/v1")</c>. AAD =
/// <c>"aotpipe-artifact" 0x00</c> ‖ the 7 header bytes ‖ table name, row id, chat id, message id, item type and
/// scope, each UTF-8 with a 4-byte big-endian length prefix. Every failure to open surfaces as the same
/// <see cref="CryptographicException"/>; nothing about the key or the plaintext is in it.
/// </remarks>
internal static class ArtifactEnvelope
{
    /// <summary>Envelope format version byte.</summary>
    public const byte Version = 0x02;

    /// <summary>Algorithm byte for AES-256-GCM with an HKDF-SHA256 per-record key.</summary>
    public const byte AlgorithmAes256Gcm = 0x01;

    /// <summary>Version, algorithm, key id and flags.</summary>
    public const int HeaderSize = 7;

    /// <summary>Per-record HKDF salt length.</summary>
    public const int SaltSize = 32;

    /// <summary>AES-GCM nonce length.</summary>
    public const int NonceSize = 12;

    /// <summary>AES-GCM tag length.</summary>
    public const int TagSize = 16;

    /// <summary>Bytes an envelope adds around its body: header, salt, nonce and tag.</summary>
    public const int Overhead = HeaderSize + SaltSize + NonceSize + TagSize;

    /// <summary>AAD up to this many bytes is built on the stack, so a seal or open allocates only its <c>AesGcm</c>
    /// (perf-reports/crypto.md, "Seal and open versus bare AES-GCM"); longer AAD (very long ids) is rented.</summary>
    private const int StackAadLimit = 512;

    private const int KeySize = 32;
    private const int SaltOffset = HeaderSize;
    private const int NonceOffset = SaltOffset + SaltSize;
    private const int BodyOffset = NonceOffset + NonceSize;
    private const string OpenFailedMessage = "The artifact envelope could not be opened.";

    private static ReadOnlySpan<byte> RecordKeyInfo => "aotpipe/artifact/aes-256-gcm/v1"u8;

    private static ReadOnlySpan<byte> AadLabel => "aotpipe-artifact\0"u8;

    /// <summary>The envelope length for a body of <paramref name="bodyLength"/> bytes.</summary>
    /// <param name="bodyLength">The (possibly compressed) body length.</param>
    /// <returns><paramref name="bodyLength"/> + <see cref="Overhead"/>.</returns>
    public static int GetSealedLength(int bodyLength) => checked(bodyLength + Overhead);

    /// <summary>The body length inside an envelope of <paramref name="envelopeLength"/> bytes (0 when too short).</summary>
    /// <param name="envelopeLength">The envelope length.</param>
    /// <returns>The body length.</returns>
    public static int GetBodyLength(int envelopeLength) => Math.Max(0, envelopeLength - Overhead);

    /// <summary>Seals <paramref name="body"/> into <paramref name="destination"/>.</summary>
    /// <param name="key">The write key.</param>
    /// <param name="flags">How <paramref name="body"/> is compressed.</param>
    /// <param name="body">The item JSON or its compressed frame.</param>
    /// <param name="context">The row context bound as AAD.</param>
    /// <param name="destination">At least <see cref="GetSealedLength"/> bytes; must not overlap <paramref name="body"/>.</param>
    /// <returns>Bytes written.</returns>
    public static int Seal(ArtifactKey key, ArtifactEnvelopeFlags flags, ReadOnlySpan<byte> body, in ArtifactAadContext context, Span<byte> destination)
    {
        int length = GetSealedLength(body.Length);
        if (destination.Length < length)
        {
            ThrowDestinationTooSmall();
        }

        if (!AreValid(flags))
        {
            ThrowInvalidFlags();
        }

        Span<byte> envelope = destination[..length];
        envelope[0] = Version;
        envelope[1] = AlgorithmAes256Gcm;
        key.KeyId.CopyTo(envelope.Slice(2, ArtifactKey.KeyIdSize));
        envelope[6] = (byte)flags;

        // Salt and nonce are adjacent: one RNG call fills both.
        RandomNumberGenerator.Fill(envelope.Slice(SaltOffset, SaltSize + NonceSize));

        Span<byte> recordKey = stackalloc byte[KeySize];
        byte[]? rentedAad = null;
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Master, recordKey, envelope.Slice(SaltOffset, SaltSize), RecordKeyInfo);
            int aadLength = GetAadLength(context);
            Span<byte> aad = aadLength <= StackAadLimit
                ? stackalloc byte[StackAadLimit]
                : (rentedAad = ArrayPool<byte>.Shared.Rent(aadLength));
            aad = aad[..aadLength];
            WriteAad(aad, envelope[..HeaderSize], context);

            using AesGcm aes = new(recordKey, TagSize);
            aes.Encrypt(
                envelope.Slice(NonceOffset, NonceSize),
                body,
                envelope.Slice(BodyOffset, body.Length),
                envelope.Slice(BodyOffset + body.Length, TagSize),
                aad);
            return length;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(recordKey);
            if (rentedAad is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedAad);
            }
        }
    }

    /// <summary>Opens an envelope, throwing one uniform exception for every failure.</summary>
    /// <param name="keyring">The keys to look the envelope's key id up in.</param>
    /// <param name="envelope">The envelope bytes.</param>
    /// <param name="context">The row context, rebuilt from the row's own columns.</param>
    /// <param name="destination">At least <see cref="GetBodyLength"/> bytes for the body.</param>
    /// <param name="flags">The envelope's compression flags.</param>
    /// <returns>Body bytes written.</returns>
    /// <exception cref="CryptographicException">The envelope is malformed, unknown, tampered with or bound to another row.</exception>
    public static int Open(ArtifactKeyring keyring, ReadOnlySpan<byte> envelope, in ArtifactAadContext context, Span<byte> destination, out ArtifactEnvelopeFlags flags)
    {
        ArtifactDecodeError error = TryOpen(keyring, envelope, context, destination, out int written, out flags);
        if (error != ArtifactDecodeError.None)
        {
            ThrowOpenFailed();
        }

        return written;
    }

    /// <summary>Opens an envelope, reporting the failure as a value.</summary>
    /// <param name="keyring">The keys to look the envelope's key id up in.</param>
    /// <param name="envelope">The envelope bytes.</param>
    /// <param name="context">The row context, rebuilt from the row's own columns.</param>
    /// <param name="destination">At least <see cref="GetBodyLength"/> bytes for the body.</param>
    /// <param name="written">Body bytes written.</param>
    /// <param name="flags">The envelope's compression flags.</param>
    /// <returns><see cref="ArtifactDecodeError.None"/> or why the envelope does not open.</returns>
    public static ArtifactDecodeError TryOpen(ArtifactKeyring keyring, ReadOnlySpan<byte> envelope, in ArtifactAadContext context, Span<byte> destination, out int written, out ArtifactEnvelopeFlags flags)
    {
        written = 0;
        flags = ArtifactEnvelopeFlags.None;
        if (envelope.Length < Overhead)
        {
            return envelope.Length > 0 && envelope[0] != Version ? ArtifactDecodeError.UnsupportedVersion : ArtifactDecodeError.Truncated;
        }

        if (envelope[0] != Version)
        {
            return ArtifactDecodeError.UnsupportedVersion;
        }

        if (envelope[1] != AlgorithmAes256Gcm)
        {
            return ArtifactDecodeError.UnsupportedAlgorithm;
        }

        ArtifactEnvelopeFlags headerFlags = (ArtifactEnvelopeFlags)envelope[6];
        if (!AreValid(headerFlags))
        {
            return ArtifactDecodeError.InvalidFlags;
        }

        if (!keyring.TryFind(envelope.Slice(2, ArtifactKey.KeyIdSize), out ArtifactKey? key))
        {
            return ArtifactDecodeError.UnknownKeyId;
        }

        int bodyLength = envelope.Length - Overhead;
        if (destination.Length < bodyLength)
        {
            ThrowDestinationTooSmall();
        }

        Span<byte> recordKey = stackalloc byte[KeySize];
        byte[]? rentedAad = null;
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Master, recordKey, envelope.Slice(SaltOffset, SaltSize), RecordKeyInfo);
            int aadLength = GetAadLength(context);
            Span<byte> aad = aadLength <= StackAadLimit
                ? stackalloc byte[StackAadLimit]
                : (rentedAad = ArrayPool<byte>.Shared.Rent(aadLength));
            aad = aad[..aadLength];
            WriteAad(aad, envelope[..HeaderSize], context);

            using AesGcm aes = new(recordKey, TagSize);
            try
            {
                aes.Decrypt(
                    envelope.Slice(NonceOffset, NonceSize),
                    envelope.Slice(BodyOffset, bodyLength),
                    envelope[^TagSize..],
                    destination[..bodyLength],
                    aad);
            }
            catch (AuthenticationTagMismatchException)
            {
                // AesGcm has already zeroed the destination.
                return ArtifactDecodeError.AuthenticationFailed;
            }

            written = bodyLength;
            flags = headerFlags;
            return ArtifactDecodeError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(recordKey);
            if (rentedAad is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedAad);
            }
        }
    }

    /// <summary>Reads the key id of an envelope without opening it (for rotation bookkeeping).</summary>
    /// <param name="envelope">The envelope bytes.</param>
    /// <param name="keyId">The key id as a big-endian integer.</param>
    /// <returns>False when the bytes are not a version-2 envelope header.</returns>
    public static bool TryReadKeyId(ReadOnlySpan<byte> envelope, out uint keyId)
    {
        keyId = 0;
        if (envelope.Length < Overhead || envelope[0] != Version)
        {
            return false;
        }

        keyId = BinaryPrimitives.ReadUInt32BigEndian(envelope.Slice(2, ArtifactKey.KeyIdSize));
        return true;
    }

    private static bool AreValid(ArtifactEnvelopeFlags flags) =>
        flags is ArtifactEnvelopeFlags.None or ArtifactEnvelopeFlags.Lz4Frame or ArtifactEnvelopeFlags.ZstdFrame;

    private static int GetAadLength(in ArtifactAadContext context) =>
        checked(AadLabel.Length + HeaderSize + (6 * sizeof(int))
            + Encoding.UTF8.GetByteCount(context.TableName ?? string.Empty)
            + Encoding.UTF8.GetByteCount(context.RowId ?? string.Empty)
            + Encoding.UTF8.GetByteCount(context.ChatId ?? string.Empty)
            + Encoding.UTF8.GetByteCount(context.MessageId ?? string.Empty)
            + Encoding.UTF8.GetByteCount(context.ItemType ?? string.Empty)
            + Encoding.UTF8.GetByteCount(context.Scope ?? string.Empty));

    private static void WriteAad(Span<byte> aad, ReadOnlySpan<byte> header, in ArtifactAadContext context)
    {
        AadLabel.CopyTo(aad);
        int offset = AadLabel.Length;
        header.CopyTo(aad[offset..]);
        offset += HeaderSize;
        offset += WriteField(aad[offset..], context.TableName);
        offset += WriteField(aad[offset..], context.RowId);
        offset += WriteField(aad[offset..], context.ChatId);
        offset += WriteField(aad[offset..], context.MessageId);
        offset += WriteField(aad[offset..], context.ItemType);
        offset += WriteField(aad[offset..], context.Scope);
        if (offset != aad.Length)
        {
            throw new InvalidOperationException("AAD length mismatch.");
        }
    }

    // A 4-byte big-endian length before each field keeps ("ab","c") and ("a","bc") apart.
    private static int WriteField(Span<byte> destination, string? value)
    {
        int written = Encoding.UTF8.GetBytes(value ?? string.Empty, destination[sizeof(int)..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, written);
        return sizeof(int) + written;
    }

    [DoesNotReturn]
    private static void ThrowOpenFailed() => throw new CryptographicException(OpenFailedMessage);

    [DoesNotReturn]
    private static void ThrowDestinationTooSmall() => throw new ArgumentException("The destination buffer is too small for the envelope.");

    [DoesNotReturn]
    private static void ThrowInvalidFlags() => throw new ArgumentException("An envelope is either uncompressed, LZ4 or Zstd.");
}
