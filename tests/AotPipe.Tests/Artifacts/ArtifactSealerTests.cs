using System.Text;
using AotPipe.Artifacts;
using Xunit;

namespace AotPipe.Tests.Artifacts;

public sealed class ArtifactSealerTests
{
    private const string Key = "sealer-test-key-0123456789abcdefghijklmn";
    private static readonly ArtifactAadContext s_context = ArtifactEnvelopeTests.Context;

    private static ArtifactPayloadCodec Codec() => new(new(Key, null, true, ArtifactCompression.Lz4, 0));

    [Fact]
    public async Task Seal_RunsOffTheCallersThread_AndOpensWithTheCodec()
    {
        var codec = Codec();
        await using var sealer = new ArtifactSealer(codec);
        byte[] item = Encoding.UTF8.GetBytes("{\"type\":\"reasoning\",\"encrypted_content\":\"" + new string('x', 2000) + "\"}");

        // The caller blocks its own thread, so the seal cannot run on it unless the sealer ran it inline.
        SealedPayload sealedPayload = default;
        var callerThread = 0;
        var caller = new Thread(() =>
        {
            callerThread = Environment.CurrentManagedThreadId;
            sealedPayload = sealer.SealAsync(item, s_context, CancellationToken.None).GetAwaiter().GetResult();
        });
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(30)));

        Assert.NotEqual(callerThread, sealer.LastSealThreadId);
        Assert.True(sealedPayload.IsEncrypted);
        Assert.True(codec.TryDecode(sealedPayload.Payload, sealedPayload.IsEncrypted, s_context, out var opened));
        Assert.Equal(item, opened);
    }

    [Fact]
    public async Task ManyConcurrentSeals_PastTheQueueCapacity_AllComplete()
    {
        var codec = Codec();
        await using var sealer = new ArtifactSealer(codec);
        var seals = new Task<SealedPayload>[ArtifactSealer.QueueCapacity * 4];
        for (var i = 0; i < seals.Length; i++)
        {
            var item = Encoding.UTF8.GetBytes("{\"n\":" + i + "}");
            seals[i] = Task.Run(() => sealer.SealAsync(item, s_context, CancellationToken.None));
        }

        var results = await Task.WhenAll(seals).WaitAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.True(codec.TryDecode(results[i].Payload, results[i].IsEncrypted, s_context, out var opened));
            Assert.Equal("{\"n\":" + i + "}", Encoding.UTF8.GetString(opened));
        }
    }

    [Fact]
    public async Task AfterDisposal_ASealStillHappens_OnTheCaller()
    {
        var codec = Codec();
        var sealer = new ArtifactSealer(codec);
        await sealer.DisposeAsync();

        var sealedPayload = await sealer.SealAsync("{\"late\":true}"u8.ToArray(), s_context, CancellationToken.None);

        Assert.True(codec.TryDecode(sealedPayload.Payload, sealedPayload.IsEncrypted, s_context, out var opened));
        Assert.Equal("{\"late\":true}", Encoding.UTF8.GetString(opened));
    }
}
