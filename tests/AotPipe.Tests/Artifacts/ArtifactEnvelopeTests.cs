using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AotPipe.Artifacts;

using Xunit;

namespace AotPipe.Tests.Artifacts;

public sealed class ArtifactEnvelopeTests
{
    internal static readonly ArtifactAadContext Context = new("response_items_aotpipe_2b207cf2", "01JC8ZK9Q3R4S5T6V7W8", "chat-1", "msg-1", "reasoning", "default/user-1");

    private static readonly ArtifactKey s_key = ArtifactKey.FromString("envelope-test-key-0123456789abcdefghij");
    private static readonly ArtifactKeyring s_ring = new(s_key);

    public static TheoryData<int> Sizes() => [0, 1, 15, 16, 17, 1000, 65536, 1024 * 1024];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SealOpen_RoundTrips(int size)
    {
        byte[] body = RandomNumberGenerator.GetBytes(size);
        byte[] envelope = Seal(body, ArtifactEnvelopeFlags.None);

        Assert.Equal(size + ArtifactEnvelope.Overhead, envelope.Length);
        byte[] opened = new byte[ArtifactEnvelope.GetBodyLength(envelope.Length)];
        Assert.Equal(size, ArtifactEnvelope.Open(s_ring, envelope, Context, opened, out ArtifactEnvelopeFlags flags));
        Assert.Equal(ArtifactEnvelopeFlags.None, flags);
        Assert.Equal(body, opened);
    }

    [Fact]
    public void Seal_WritesDesignMdHeader()
    {
        byte[] envelope = Seal("{}"u8.ToArray(), ArtifactEnvelopeFlags.ZstdFrame);

        Assert.Equal(0x02, envelope[0]);
        Assert.Equal(0x01, envelope[1]);
        Assert.Equal(s_key.KeyId.ToArray(), envelope[2..6]);
        Assert.Equal(0x02, envelope[6]);
        Assert.True(ArtifactEnvelope.TryReadKeyId(envelope, out uint keyId));
        Assert.Equal(s_key.KeyIdValue, keyId);
    }

    [Fact]
    public void Seal_FreshSaltAndNoncePerRecord()
    {
        byte[] a = Seal("same"u8.ToArray(), ArtifactEnvelopeFlags.None);
        byte[] b = Seal("same"u8.ToArray(), ArtifactEnvelopeFlags.None);

        Assert.NotEqual(a[7..39], b[7..39]);
        Assert.NotEqual(a[39..51], b[39..51]);
        Assert.NotEqual(a[51..], b[51..]);
    }

    [Fact]
    public void Seal_OpensWithIndependentImplementationOfTheLayout()
    {
        // Rebuild key and AAD from DESIGN.md section 4 by hand, without ArtifactEnvelope's helpers.
        byte[] body = "{\"type\":\"reasoning\",\"summary\":[]}"u8.ToArray();
        byte[] envelope = Seal(body, ArtifactEnvelopeFlags.None);

        byte[] prk = HMACSHA256.HashData(envelope[7..39], s_key.Master.ToArray());
        byte[] recordKey = HMACSHA256.HashData(prk, (byte[])[.. "aotpipe/artifact/aes-256-gcm/v1"u8, 0x01]);
        List<byte> aad = [.. "aotpipe-artifact"u8, 0x00, .. envelope[..7]];
        foreach (string field in new[] { Context.TableName, Context.RowId, Context.ChatId, Context.MessageId, Context.ItemType, Context.Scope })
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(field);
            byte[] length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, utf8.Length);
            aad.AddRange(length);
            aad.AddRange(utf8);
        }

        byte[] plaintext = new byte[body.Length];
        using AesGcm aes = new(recordKey, 16);
        aes.Decrypt(envelope[39..51], envelope[51..^16], envelope[^16..], plaintext, aad.ToArray());
        Assert.Equal(body, plaintext);
    }

    [Fact]
    public void TryOpen_UnknownVersion_Rejected()
    {
        byte[] envelope = Seal("{}"u8.ToArray(), ArtifactEnvelopeFlags.None);
        envelope[0] = 0x03;

        Assert.Equal(ArtifactDecodeError.UnsupportedVersion, TryOpen(envelope));
    }

    [Fact]
    public void TryOpen_HeaderlessBytes_Rejected()
    {
        // A Fernet token's bytes (version 0x80) and raw JSON are not envelopes.
        Assert.Equal(ArtifactDecodeError.UnsupportedVersion, TryOpen(Convert.FromBase64String("gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD36i6-BD-bfYnuhpVZ3XahIAZc8lwFsqAoik_oVoeBPQFi6mG8sQSM4dzzksin-NlWs6dP9LDwFzOnt2oI2ag44=".Replace('-', '+').Replace('_', '/'))));
        Assert.Equal(ArtifactDecodeError.UnsupportedVersion, TryOpen(Encoding.UTF8.GetBytes("{\"type\":\"reasoning\",\"summary\":[],\"padding\":\"0123456789012345678901234567890123456789\"}")));
        Assert.Equal(ArtifactDecodeError.Truncated, TryOpen([]));
    }

    [Fact]
    public void TryOpen_UnknownAlgorithm_Rejected()
    {
        byte[] envelope = Seal("{}"u8.ToArray(), ArtifactEnvelopeFlags.None);
        envelope[1] = 0x02;

        Assert.Equal(ArtifactDecodeError.UnsupportedAlgorithm, TryOpen(envelope));
    }

    [Fact]
    public void TryOpen_TruncatedAtEveryLength_Rejected()
    {
        byte[] envelope = Seal(RandomNumberGenerator.GetBytes(100), ArtifactEnvelopeFlags.None);
        for (int length = 0; length < envelope.Length; length++)
        {
            Assert.NotEqual(ArtifactDecodeError.None, TryOpen(envelope.AsSpan(0, length).ToArray()));
        }
    }

    [Fact]
    public void TryOpen_WrongKey_Rejected()
    {
        byte[] envelope = Seal("{}"u8.ToArray(), ArtifactEnvelopeFlags.None);
        ArtifactKeyring other = new(ArtifactKey.FromString("a-different-key-0123456789abcdefghijkl"));

        Assert.Equal(ArtifactDecodeError.UnknownKeyId, ArtifactEnvelope.TryOpen(other, envelope, Context, new byte[64], out _, out _));

        // A forged key id that names the other key still fails authentication.
        other.Current.KeyId.CopyTo(envelope.AsSpan(2, 4));
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, ArtifactEnvelope.TryOpen(other, envelope, Context, new byte[64], out _, out _));
    }

    [Fact]
    public void TryOpen_PreviousKey_FoundByKeyId()
    {
        ArtifactKey old = ArtifactKey.FromString("old-key-0123456789abcdefghijklmnopqrstu");
        byte[] envelope = new byte[ArtifactEnvelope.GetSealedLength(2)];
        ArtifactEnvelope.Seal(old, ArtifactEnvelopeFlags.None, "{}"u8, Context, envelope);

        Assert.Equal(ArtifactDecodeError.None, ArtifactEnvelope.TryOpen(new ArtifactKeyring(s_key, old), envelope, Context, new byte[2], out int written, out _));
        Assert.Equal(2, written);
        Assert.Equal(ArtifactDecodeError.UnknownKeyId, ArtifactEnvelope.TryOpen(s_ring, envelope, Context, new byte[2], out _, out _));
    }

    [Theory]
    [InlineData(6, 0x01, "AuthenticationFailed")] // flags None -> LZ4: authenticated header
    [InlineData(6, 0x03, "InvalidFlags")]
    [InlineData(6, 0x04, "InvalidFlags")]
    [InlineData(2, 0x00, "UnknownKeyId")]
    public void TryOpen_TamperedHeader_Rejected(int offset, byte value, string expected)
    {
        byte[] envelope = Seal("{}"u8.ToArray(), ArtifactEnvelopeFlags.None);
        envelope[offset] = value;

        Assert.Equal(expected, TryOpen(envelope).ToString());
    }

    [Theory]
    [InlineData(7)] // salt
    [InlineData(38)]
    [InlineData(39)] // nonce
    [InlineData(50)]
    [InlineData(51)] // ciphertext
    [InlineData(-16)] // tag
    [InlineData(-1)]
    public void TryOpen_TamperedSaltNonceCiphertextOrTag_Rejected(int offset)
    {
        byte[] envelope = Seal("{\"a\":1}"u8.ToArray(), ArtifactEnvelopeFlags.None);
        envelope[offset < 0 ? envelope.Length + offset : offset] ^= 0x01;

        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope));
    }

    public static TheoryData<string> AadFields() => ["table", "row", "chat", "message", "type", "scope"];

    [Theory]
    [MemberData(nameof(AadFields))]
    public void TryOpen_EachAadFieldChanged_Rejected(string field)
    {
        byte[] envelope = Seal("{}"u8.ToArray(), ArtifactEnvelopeFlags.None);
        ArtifactAadContext c = Context;
        ArtifactAadContext changed = field switch
        {
            "table" => new(c.TableName + "x", c.RowId, c.ChatId, c.MessageId, c.ItemType, c.Scope),
            "row" => new(c.TableName, "01JC8ZK9Q3R4S5T6V7W9", c.ChatId, c.MessageId, c.ItemType, c.Scope),
            "chat" => new(c.TableName, c.RowId, "chat-2", c.MessageId, c.ItemType, c.Scope),
            "message" => new(c.TableName, c.RowId, c.ChatId, "msg-2", c.ItemType, c.Scope),
            "type" => new(c.TableName, c.RowId, c.ChatId, c.MessageId, "Reasoning", c.Scope),
            _ => new(c.TableName, c.RowId, c.ChatId, c.MessageId, c.ItemType, "default/user-2"),
        };

        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope, changed));
    }

    [Fact]
    public void TryOpen_FieldBoundaryShift_Rejected()
    {
        ArtifactAadContext ab = new("t", "r", "ab", "c", "reasoning", "s");
        ArtifactAadContext a = new("t", "r", "a", "bc", "reasoning", "s");
        byte[] envelope = new byte[ArtifactEnvelope.GetSealedLength(2)];
        ArtifactEnvelope.Seal(s_key, ArtifactEnvelopeFlags.None, "{}"u8, ab, envelope);

        Assert.Equal(ArtifactDecodeError.None, TryOpen(envelope, ab));
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope, a));
    }

    [Fact]
    public void TryOpen_RowCopiedToAnotherChatOrUser_Rejected()
    {
        byte[] envelope = Seal("{\"secret\":\"chat A reasoning\"}"u8.ToArray(), ArtifactEnvelopeFlags.None);

        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope, new(Context.TableName, Context.RowId, "chat-B", Context.MessageId, Context.ItemType, Context.Scope)));
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope, new(Context.TableName, Context.RowId, Context.ChatId, Context.MessageId, Context.ItemType, "default/mallory")));
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope, new(Context.TableName, Context.RowId, Context.ChatId, Context.MessageId, Context.ItemType, "other-tenant/user-1")));
    }

    [Fact]
    public void TryOpen_LongContext_UsesRentedAad()
    {
        string longId = new('x', 2000);
        ArtifactAadContext context = new(longId, longId, longId, longId, "reasoning", longId);
        byte[] envelope = new byte[ArtifactEnvelope.GetSealedLength(2)];
        ArtifactEnvelope.Seal(s_key, ArtifactEnvelopeFlags.None, "{}"u8, context, envelope);

        Assert.Equal(ArtifactDecodeError.None, TryOpen(envelope, context));
        Assert.Equal(ArtifactDecodeError.AuthenticationFailed, TryOpen(envelope, new(longId, longId, longId, longId, "reasoning", longId + "y")));
    }

    [Fact]
    public void Open_AnyFailure_ThrowsOneUniformException()
    {
        byte[] plaintext = "{\"key\":\"PLAINTEXT-MARKER\"}"u8.ToArray();
        byte[] envelope = Seal(plaintext, ArtifactEnvelopeFlags.None);
        byte[] tampered = (byte[])envelope.Clone();
        tampered[^1] ^= 1;
        byte[] badVersion = (byte[])envelope.Clone();
        badVersion[0] = 9;

        string[] messages =
        [
            Assert.Throws<CryptographicException>(() => ArtifactEnvelope.Open(s_ring, tampered, Context, new byte[64], out _)).Message,
            Assert.Throws<CryptographicException>(() => ArtifactEnvelope.Open(s_ring, badVersion, Context, new byte[64], out _)).Message,
            Assert.Throws<CryptographicException>(() => ArtifactEnvelope.Open(s_ring, envelope[..10], Context, new byte[64], out _)).Message,
            Assert.Throws<CryptographicException>(() => ArtifactEnvelope.Open(new ArtifactKeyring(ArtifactKey.FromString("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")), envelope, Context, new byte[64], out _)).Message,
        ];

        Assert.Single(messages.Distinct());
        Assert.DoesNotContain("PLAINTEXT", messages[0], StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(s_key.Master), messages[0], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Seal_DestinationTooSmall_Throws() =>
        Assert.Throws<ArgumentException>(() => ArtifactEnvelope.Seal(s_key, ArtifactEnvelopeFlags.None, "{}"u8, Context, new byte[ArtifactEnvelope.Overhead + 1]));

    [Fact]
    public void Seal_BothCompressionFlags_Throws() =>
        Assert.Throws<ArgumentException>(() => ArtifactEnvelope.Seal(s_key, ArtifactEnvelopeFlags.Lz4Frame | ArtifactEnvelopeFlags.ZstdFrame, "{}"u8, Context, new byte[100]));

    [Fact]
    public void Property_RandomPayloadsAndSingleBitFlips_EveryFlipRejected()
    {
        Random random = new(20261127);
        byte[] opened = new byte[4096];
        for (int i = 0; i < 3000; i++)
        {
            byte[] body = new byte[random.Next(0, 2048)];
            random.NextBytes(body);
            byte[] envelope = Seal(body, (ArtifactEnvelopeFlags)random.Next(0, 3));

            Assert.Equal(ArtifactDecodeError.None, ArtifactEnvelope.TryOpen(s_ring, envelope, Context, opened, out int written, out _));
            Assert.Equal(body, opened[..written]);

            int bit = random.Next(envelope.Length * 8);
            envelope[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(ArtifactDecodeError.None, ArtifactEnvelope.TryOpen(s_ring, envelope, Context, opened, out _, out _));
        }
    }

    private static byte[] Seal(byte[] body, ArtifactEnvelopeFlags flags)
    {
        byte[] envelope = new byte[ArtifactEnvelope.GetSealedLength(body.Length)];
        Assert.Equal(envelope.Length, ArtifactEnvelope.Seal(s_key, flags, body, Context, envelope));
        return envelope;
    }

    private static ArtifactDecodeError TryOpen(byte[] envelope) => TryOpen(envelope, Context);

    private static ArtifactDecodeError TryOpen(byte[] envelope, ArtifactAadContext context) =>
        ArtifactEnvelope.TryOpen(s_ring, envelope, context, new byte[Math.Max(1, envelope.Length)], out _, out _);
}
