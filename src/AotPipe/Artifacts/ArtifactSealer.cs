using System.Threading.Channels;

namespace AotPipe.Artifacts;

/// <summary>
/// Seals artifacts (compression, per-record key, AES-GCM: about 22 µs for 1 KB, perf-reports/crypto.md) on one background
/// consumer. With inline socket scheduling the request code runs on the socket engine's event threads (PERFORMANCE.md),
/// so sealing there would stall every stream served by the same thread while a burst of streams ends.
/// </summary>
/// <remarks>The queue is bounded, so a flood of endings waits for the consumer instead of growing memory. After disposal
/// (shutdown) a late seal runs on the caller: an artifact is never dropped for want of a consumer.</remarks>
internal sealed class ArtifactSealer : IAsyncDisposable
{
    /// <summary>Most seals waiting at once; writers wait beyond it. Above the heaviest burst measured, 200 stream endings
    /// at once (perf-reports/persistence.md, "Sealing on a background consumer").</summary>
    public const int QueueCapacity = 256;

    private readonly ArtifactPayloadCodec _codec;
    private readonly Channel<SealJob> _queue;
    private readonly Task _consumer;
    private long _seals;

    /// <summary>Starts the consumer.</summary>
    public ArtifactSealer(ArtifactPayloadCodec codec)
    {
        _codec = codec;
        _queue = Channel.CreateBounded<SealJob>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Thread that ran the most recent seal (tests check it is not the caller's).</summary>
    internal int LastSealThreadId { get; private set; }

    /// <summary>Seals done so far (tests check when sealing happens and that nothing is sealed twice).</summary>
    internal long SealCount => Interlocked.Read(ref _seals);

    /// <summary>Seals <paramref name="itemJson"/> for storage under <paramref name="context"/>.</summary>
    public async Task<SealedPayload> SealAsync(ReadOnlyMemory<byte> itemJson, ArtifactAadContext context, CancellationToken cancellationToken)
    {
        var job = new SealJob(itemJson, context);
        try
        {
            await _queue.Writer.WriteAsync(job, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return Seal(job);
        }

        return await job.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Seals what is queued, then stops the consumer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
#pragma warning disable VSTHRD003 // The consumer is this object's own task; awaiting it is the drain.
        await _consumer;
#pragma warning restore VSTHRD003
    }

    private async Task ConsumeAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var job))
            {
                try
                {
                    job.Completion.TrySetResult(Seal(job));
                }
                catch (Exception ex)
                {
                    job.Completion.TrySetException(ex);
                }
            }
        }
    }

    private SealedPayload Seal(SealJob job)
    {
        LastSealThreadId = Environment.CurrentManagedThreadId;
        var payload = _codec.Encode(job.ItemJson.Span, job.Context, out var isEncrypted);
        Interlocked.Increment(ref _seals);
        return new SealedPayload(payload, isEncrypted);
    }

    private sealed class SealJob(ReadOnlyMemory<byte> itemJson, ArtifactAadContext context)
    {
        public ReadOnlyMemory<byte> ItemJson { get; } = itemJson;

        public ArtifactAadContext Context { get; } = context;

        public TaskCompletionSource<SealedPayload> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
