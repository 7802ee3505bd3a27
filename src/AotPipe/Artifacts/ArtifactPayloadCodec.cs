using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AotPipe.Artifacts.Codecs;
using AotPipe.Security;

namespace AotPipe.Artifacts;

/// <summary>
/// The one place persistence turns item JSON into the stored <c>payload</c> column and back: optional compression,
/// the <c>enc_v: 2</c> envelope, the Python original's <c>enc_v: 1</c> Fernet rows, and plain JSON rows.
/// </summary>
/// <remarks>
/// Stored shapes: plain rows hold the item JSON itself; encrypted rows hold
/// <c>{"ciphertext":"&lt;base64 envelope&gt;","enc_v":2}</c> (written) or <c>{"ciphertext":"&lt;Fernet token&gt;","enc_v":1}</c>
/// (read only). Legacy plaintext is <c>flag ‖ body</c>: flag 0 = UTF-8 JSON, 1 = LZ4 frame of it; a plaintext of one
/// byte or less is the body itself (SECURITY.md 2.8). Bad data is reported as an <see cref="ArtifactDecodeError"/>, never thrown.
/// </remarks>
internal sealed class ArtifactPayloadCodec
{
    /// <summary>The <c>enc_v</c> this build writes.</summary>
    public const int CurrentEncryptionVersion = 2;

    /// <summary>The <c>enc_v</c> of the Python original's Fernet rows (read, never written).</summary>
    public const int LegacyEncryptionVersion = 1;

    private const string CiphertextPrefix = "{\"ciphertext\":\"";
    private const string CiphertextSuffix = "\",\"enc_v\":2}";
    private const byte LegacyFlagJson = 0;
    private const byte LegacyFlagLz4 = 1;

    private readonly ArtifactKeyring? _keyring;
    private readonly bool _encryptAll;
    private readonly ArtifactCompression _compression;
    private readonly int _minCompressBytes;

    /// <summary>Creates the codec from settings.</summary>
    /// <param name="options">The artifact settings; a blank key means plain storage.</param>
    public ArtifactPayloadCodec(ArtifactCryptoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Key))
        {
            ArtifactKey? previous = string.IsNullOrWhiteSpace(options.PreviousKey) ? null : ArtifactKey.FromString(options.PreviousKey);
            _keyring = new ArtifactKeyring(ArtifactKey.FromString(options.Key), previous);
        }

        _encryptAll = options.EncryptAll;
        _compression = options.Compression;
        _minCompressBytes = Math.Max(0, options.MinCompressBytes);
    }

    /// <summary>Whether an encryption key is configured.</summary>
    public bool HasKey => _keyring is not null;

    /// <summary>The keys in use, or null without a key.</summary>
    public ArtifactKeyring? Keyring => _keyring;

    /// <summary>Whether a configured key is weak (see <see cref="ArtifactKey.MinStrongKeyLength"/>); start-up warns.</summary>
    /// <param name="key">The raw <c>ARTIFACT_ENCRYPTION_KEY</c>.</param>
    /// <returns>True for a non-blank key shorter than 32 characters after trimming.</returns>
    public static bool IsWeakKey(string? key) => ArtifactKey.IsWeakKey(key);

    /// <summary>Whether an item of <paramref name="itemType"/> is encrypted under the current settings.</summary>
    /// <param name="itemType">The item type.</param>
    /// <returns>True when a key is set and either <c>ENCRYPT_ALL</c> or the type is <c>reasoning</c> (any case).</returns>
    public bool ShouldEncrypt(string? itemType) =>
        _keyring is not null && (_encryptAll || string.Equals(itemType, "reasoning", StringComparison.OrdinalIgnoreCase));

    /// <summary>Encodes item JSON into the stored payload.</summary>
    /// <param name="itemJsonUtf8">The item JSON.</param>
    /// <param name="context">The row the payload is written to.</param>
    /// <param name="isEncrypted">The value of the row's <c>is_encrypted</c> column.</param>
    /// <returns>The payload column's JSON text.</returns>
    public string Encode(ReadOnlySpan<byte> itemJsonUtf8, in ArtifactAadContext context, out bool isEncrypted)
    {
        if (!ShouldEncrypt(context.ItemType))
        {
            isEncrypted = false;
            return Encoding.UTF8.GetString(itemJsonUtf8);
        }

        byte[] envelope = SealBytes(itemJsonUtf8, context, out int length);
        try
        {
            isEncrypted = true;
            int base64Length = Base64.GetMaxEncodedToUtf8Length(length);
            return string.Create(
                CiphertextPrefix.Length + base64Length + CiphertextSuffix.Length,
                (envelope, length),
                static (chars, state) =>
                {
                    CiphertextPrefix.CopyTo(chars);
                    _ = Convert.TryToBase64Chars(state.envelope.AsSpan(0, state.length), chars[CiphertextPrefix.Length..], out int written);
                    CiphertextSuffix.CopyTo(chars[(CiphertextPrefix.Length + written)..]);
                });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(envelope);
        }
    }

    /// <summary>Decodes a stored payload back into item JSON.</summary>
    /// <param name="storedPayloadJson">The payload column's JSON text.</param>
    /// <param name="isEncrypted">The row's <c>is_encrypted</c> column.</param>
    /// <param name="context">The row's own columns (the AAD of <c>enc_v: 2</c>).</param>
    /// <param name="itemJsonUtf8">The item JSON (one JSON object) when the result is true.</param>
    /// <returns>False when the payload cannot be decoded.</returns>
    public bool TryDecode(string storedPayloadJson, bool isEncrypted, in ArtifactAadContext context, out byte[] itemJsonUtf8) =>
        TryDecode(storedPayloadJson, isEncrypted, context, out itemJsonUtf8, out _);

    /// <summary>Decodes a stored payload back into item JSON, saying why it failed.</summary>
    /// <param name="storedPayloadJson">The payload column's JSON text.</param>
    /// <param name="isEncrypted">The row's <c>is_encrypted</c> column.</param>
    /// <param name="context">The row's own columns (the AAD of <c>enc_v: 2</c>).</param>
    /// <param name="itemJsonUtf8">The item JSON (one JSON object) when the result is true.</param>
    /// <param name="error">Why decoding failed, or <see cref="ArtifactDecodeError.None"/>.</param>
    /// <returns>False when the payload cannot be decoded.</returns>
    public bool TryDecode(string storedPayloadJson, bool isEncrypted, in ArtifactAadContext context, out byte[] itemJsonUtf8, out ArtifactDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(storedPayloadJson);
        itemJsonUtf8 = [];
        byte[] payload = Encoding.UTF8.GetBytes(storedPayloadJson);
        if (!isEncrypted)
        {
            error = IsSingleJsonObject(payload) ? ArtifactDecodeError.None : ArtifactDecodeError.NotJsonObject;
            if (error == ArtifactDecodeError.None)
            {
                itemJsonUtf8 = payload;
            }

            return error == ArtifactDecodeError.None;
        }

        if (_keyring is null)
        {
            error = ArtifactDecodeError.KeyMissing;
            return false;
        }

        byte[]? ciphertext = null;
        try
        {
            error = ReadEncryptedPayload(payload, out ciphertext, out int ciphertextLength, out int version);
            if (error != ArtifactDecodeError.None)
            {
                return false;
            }

            byte[] plaintext;
            if (version == CurrentEncryptionVersion)
            {
                if (Base64.DecodeFromUtf8InPlace(ciphertext.AsSpan(0, ciphertextLength), out int envelopeLength) != OperationStatus.Done)
                {
                    error = ArtifactDecodeError.MalformedPayload;
                    return false;
                }

                error = TryOpenBytes(ciphertext.AsSpan(0, envelopeLength), context, out plaintext);
            }
            else
            {
                error = TryOpenLegacy(ciphertext.AsSpan(0, ciphertextLength), out plaintext);
            }

            if (error != ArtifactDecodeError.None)
            {
                return false;
            }

            if (!IsSingleJsonObject(plaintext))
            {
                error = ArtifactDecodeError.NotJsonObject;
                return false;
            }

            itemJsonUtf8 = plaintext;
            return true;
        }
        finally
        {
            if (ciphertext is not null)
            {
                ArrayPool<byte>.Shared.Return(ciphertext);
            }
        }
    }

    /// <summary>Compresses (when enabled and worthwhile) and seals bytes into a rented buffer.</summary>
    /// <param name="plaintext">The item bytes.</param>
    /// <param name="context">The row context.</param>
    /// <param name="length">Envelope bytes at the start of the returned array.</param>
    /// <returns>A buffer rented from <see cref="ArrayPool{T}.Shared"/>; the caller returns it.</returns>
    internal byte[] SealBytes(ReadOnlySpan<byte> plaintext, in ArtifactAadContext context, out int length)
    {
        ArtifactKeyring keyring = _keyring ?? throw new InvalidOperationException("No artifact key is configured.");
        byte[]? compressed = null;
        try
        {
            ArtifactEnvelopeFlags flags = ArtifactEnvelopeFlags.None;
            ReadOnlySpan<byte> body = plaintext;
            if (_compression != ArtifactCompression.None
                && plaintext.Length > 0
                && plaintext.Length >= _minCompressBytes
                && plaintext.Length <= Lz4FrameCodec.MaxDecompressedBytes)
            {
                bool lz4 = _compression == ArtifactCompression.Lz4;
                compressed = ArrayPool<byte>.Shared.Rent(lz4 ? Lz4FrameCodec.GetMaxCompressedLength(plaintext.Length) : ZstdCodec.GetMaxCompressedLength(plaintext.Length));
                int written = lz4 ? Lz4FrameCodec.Compress(plaintext, compressed) : ZstdCodec.Compress(plaintext, compressed);

                // As in the Python original: keep the frame only when it is actually smaller.
                if (written < plaintext.Length)
                {
                    body = compressed.AsSpan(0, written);
                    flags = lz4 ? ArtifactEnvelopeFlags.Lz4Frame : ArtifactEnvelopeFlags.ZstdFrame;
                }
            }

            length = ArtifactEnvelope.GetSealedLength(body.Length);
            byte[] envelope = ArrayPool<byte>.Shared.Rent(length);
            _ = ArtifactEnvelope.Seal(keyring.Current, flags, body, context, envelope);
            return envelope;
        }
        finally
        {
            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed, clearArray: true);
            }
        }
    }

    /// <summary>Opens an <c>enc_v: 2</c> envelope and decompresses its body.</summary>
    /// <param name="envelope">The envelope bytes.</param>
    /// <param name="context">The row context.</param>
    /// <param name="plaintext">The item bytes on success.</param>
    /// <returns><see cref="ArtifactDecodeError.None"/> or the reason.</returns>
    internal ArtifactDecodeError TryOpenBytes(ReadOnlySpan<byte> envelope, in ArtifactAadContext context, out byte[] plaintext)
    {
        plaintext = [];
        if (_keyring is null)
        {
            return ArtifactDecodeError.KeyMissing;
        }

        int bodyLength = ArtifactEnvelope.GetBodyLength(envelope.Length);
        byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(1, bodyLength));
        try
        {
            ArtifactDecodeError error = ArtifactEnvelope.TryOpen(_keyring, envelope, context, body, out int written, out ArtifactEnvelopeFlags flags);
            if (error != ArtifactDecodeError.None)
            {
                return error;
            }

            ReadOnlySpan<byte> opened = body.AsSpan(0, written);
            return flags switch
            {
                ArtifactEnvelopeFlags.Lz4Frame => FromStatus(Lz4FrameCodec.Decompress(opened, out plaintext)),
                ArtifactEnvelopeFlags.ZstdFrame => FromStatus(ZstdCodec.Decompress(opened, out plaintext)),
                _ => Copy(opened, out plaintext),
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body, clearArray: true);
        }
    }

    private ArtifactDecodeError TryOpenLegacy(ReadOnlySpan<byte> token, out byte[] plaintext)
    {
        plaintext = [];
        ArtifactKeyring keyring = _keyring!;

        // Fernet has no key id: try the current key, then the previous one.
        if (!FernetToken.TryDecrypt(keyring.Current.LegacyFernetKey, token, out byte[] decrypted)
            && (keyring.Previous is null || !FernetToken.TryDecrypt(keyring.Previous.LegacyFernetKey, token, out decrypted)))
        {
            return ArtifactDecodeError.AuthenticationFailed;
        }

        try
        {
            if (decrypted.Length <= 1)
            {
                plaintext = decrypted.ToArray();
                return ArtifactDecodeError.None;
            }

            ReadOnlySpan<byte> body = decrypted.AsSpan(1);
            return decrypted[0] switch
            {
                LegacyFlagJson => Copy(body, out plaintext),
                LegacyFlagLz4 => FromStatus(Lz4FrameCodec.Decompress(body, out plaintext)),
                _ => ArtifactDecodeError.InvalidLegacyFlag,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decrypted);
        }
    }

    /// <summary>
    /// Reads <c>ciphertext</c> and <c>enc_v</c> from an encrypted row's payload. A missing <c>enc_v</c>, or a payload that is a
    /// bare JSON string, is a Fernet token, as the Python original reads it.
    /// </summary>
    private static ArtifactDecodeError ReadEncryptedPayload(byte[] payload, out byte[]? ciphertext, out int ciphertextLength, out int version)
    {
        ciphertext = null;
        ciphertextLength = 0;
        version = LegacyEncryptionVersion;
        try
        {
            Utf8JsonReader reader = new(payload);
            if (!reader.Read())
            {
                return ArtifactDecodeError.MalformedPayload;
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                ciphertext = CopyString(ref reader, out ciphertextLength);
                return reader.Read() ? ArtifactDecodeError.MalformedPayload : ArtifactDecodeError.None;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return ArtifactDecodeError.MalformedPayload;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ciphertext"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || ciphertext is not null)
                    {
                        return ArtifactDecodeError.MalformedPayload;
                    }

                    ciphertext = CopyString(ref reader, out ciphertextLength);
                }
                else if (reader.ValueTextEquals("enc_v"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out version))
                    {
                        return ArtifactDecodeError.UnsupportedVersion;
                    }
                }
                else
                {
                    _ = reader.Read();
                    reader.Skip();
                }
            }

            if (ciphertext is null || ciphertextLength == 0)
            {
                return ArtifactDecodeError.MalformedPayload;
            }

            return version is CurrentEncryptionVersion or LegacyEncryptionVersion ? ArtifactDecodeError.None : ArtifactDecodeError.UnsupportedVersion;
        }
        catch (JsonException)
        {
            return ArtifactDecodeError.MalformedPayload;
        }
    }

    private static byte[] CopyString(ref Utf8JsonReader reader, out int length)
    {
        // Unescaped text is never longer than its escaped form.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length));
        length = reader.CopyString(buffer);
        return buffer;
    }

    private static bool IsSingleJsonObject(ReadOnlySpan<byte> json)
    {
        try
        {
            Utf8JsonReader reader = new(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ArtifactDecodeError FromStatus(OperationStatus status) => status switch
    {
        OperationStatus.Done => ArtifactDecodeError.None,
        OperationStatus.DestinationTooSmall => ArtifactDecodeError.DecompressedTooLarge,
        _ => ArtifactDecodeError.DecompressionFailed,
    };

    private static ArtifactDecodeError Copy(ReadOnlySpan<byte> source, out byte[] destination)
    {
        destination = source.ToArray();
        return ArtifactDecodeError.None;
    }
}
