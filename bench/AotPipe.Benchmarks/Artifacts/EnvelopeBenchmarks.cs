using System.Security.Cryptography;
using AotPipe.Artifacts;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AotPipe.Benchmarks.Artifacts;

/// <summary>
/// Envelope seal/open against a bare <see cref="AesGcm"/> call on the same bytes in the same run. The envelope adds
/// per-record HKDF, a new AES key schedule, random salt and nonce, and AAD building; both write into preallocated buffers.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Artifacts")]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EnvelopeBenchmarks
{
    private static readonly ArtifactAadContext s_context = new("response_items_aotpipe_2b207cf2", "01JC8ZK9Q3R4S5T6V7W8", "6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f", "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4", "reasoning", "default/4d3c2b1a-0f9e-8d7c-6b5a-493827161504");

    private byte[] _plaintext = [];
    private byte[] _destination = [];
    private byte[] _sealed = [];
    private byte[] _opened = [];
    private byte[] _ciphertext = [];
    private byte[] _tag = new byte[16];
    private byte[] _nonce = new byte[12];
    private byte[] _rawKey = new byte[32];
    private AesGcm _bare = null!;
    private ArtifactKey _key = null!;
    private ArtifactKeyring _keyring = null!;

    /// <summary>Plaintext size in bytes.</summary>
    [Params(1024, 16 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _destination = new byte[ArtifactEnvelope.GetSealedLength(Size)];
        _opened = new byte[Size];
        _ciphertext = new byte[Size];
        _rawKey = RandomNumberGenerator.GetBytes(32);
        _nonce = RandomNumberGenerator.GetBytes(12);
        _bare = new AesGcm(_rawKey, 16);
        _bare.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        _key = ArtifactKey.FromString("benchmark-artifact-key-0123456789abcdefghij");
        _keyring = new ArtifactKeyring(_key);
        _sealed = new byte[_destination.Length];
        ArtifactEnvelope.Seal(_key, ArtifactEnvelopeFlags.None, _plaintext, s_context, _sealed);
    }

    [GlobalCleanup]
    public void Cleanup() => _bare.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Seal")]
    public void BareAesGcmEncrypt() => _bare.Encrypt(_nonce, _plaintext, _ciphertext, _tag);

    [Benchmark]
    [BenchmarkCategory("Seal")]
    public void BareAesGcmEncryptNewKey()
    {
        using AesGcm aes = new(_rawKey, 16);
        aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
    }

    [Benchmark]
    [BenchmarkCategory("Seal")]
    public int EnvelopeSeal() => ArtifactEnvelope.Seal(_key, ArtifactEnvelopeFlags.None, _plaintext, s_context, _destination);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Open")]
    public void BareAesGcmDecrypt() => _bare.Decrypt(_nonce, _ciphertext, _tag, _opened);

    [Benchmark]
    [BenchmarkCategory("Open")]
    public int EnvelopeOpen() => ArtifactEnvelope.Open(_keyring, _sealed, s_context, _opened, out _);
}
