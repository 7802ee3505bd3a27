using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using AotPipe.Streaming;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Streaming;

/// <summary>SSE framing + relay of a recorded-shape 2,000-event stream, in memory (perf-reports/relay.md).</summary>
[MemoryDiagnoser]
[BenchmarkCategory("relay")]
public class RelayBenchmarks
{
    /// <summary>Events per stream.</summary>
    public const int Events = 2000;

    private ReadOnlySequence<byte> _stream;
    private byte[] _bytes = [];
    private ArrayBufferWriter<byte> _output = null!;
    private SseFramer _framer = null!;
    private Pipe _upstream = null!;
    private Pipe _client = null!;
    private InMemoryUpstreamReader _memoryUpstream = null!;
    private DrainingClientWriter _drainingClient = null!;
    private RelayTimer _timer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        text.Append(": OPENROUTER PROCESSING\n\n");
        text.Append("data: {\"type\":\"response.created\",\"response\":{\"id\":\"gen-1\",\"status\":\"in_progress\"},\"sequence_number\":0}\n\n");
        for (var i = 1; i <= Events - 2; i++)
        {
            text.Append("data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_tmp_0123456789abcdef\",\"output_index\":0,\"content_index\":0,\"delta\":\"token ")
                .Append(i % 1000).Append(" \",\"sequence_number\":").Append(i).Append("}\n\n");
        }

        text.Append("data: {\"type\":\"response.completed\",\"response\":{\"id\":\"gen-1\",\"status\":\"completed\"},\"sequence_number\":").Append(Events - 1).Append("}\n\n");
        text.Append("data: [DONE]\n\n");
        _bytes = Encoding.UTF8.GetBytes(text.ToString());
        _stream = new ReadOnlySequence<byte>(_bytes);
        _output = new ArrayBufferWriter<byte>(_bytes.Length + 1024);
        _framer = new SseFramer();
        _upstream = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        _client = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        _memoryUpstream = new InMemoryUpstreamReader(_bytes, UpstreamReadBytes);
        _drainingClient = new DrainingClientWriter(64 * 1024);
        _timer = new RelayTimer(CancellationToken.None, CancellationToken.None, TimeSpan.FromMinutes(5));
    }

    /// <summary>Bytes each upstream read adds (a typical socket read of a busy stream).</summary>
    public const int UpstreamReadBytes = 4096;

    [GlobalCleanup]
    public void Cleanup() => _timer.Dispose();

    /// <summary>Framer + relay sink over the whole stream: the per-event work of the relay.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long FrameAndRelay()
    {
        _output.ResetWrittenCount();
        _framer.Reset();
        var sink = s_sink;
        var buffer = _stream;
        while (_framer.TryRead(buffer, out var sseEvent) == SseReadStatus.Event)
        {
            sink.OnEvent(sseEvent, _output);
            buffer = buffer.Slice(sseEvent.Raw.End);
        }

        return _output.WrittenCount;
    }

    private static readonly ResponsesRelaySinkForBench s_sink = new();

    /// <summary>The full async loop: upstream pipe (4 KB reads) → framer → sink → client pipe, one flush per read.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> RelayLoopThroughPipes()
    {
        _framer.Reset();
        var writer = _upstream.Writer;
        for (var offset = 0; offset < _bytes.Length; offset += 4096)
        {
            var length = Math.Min(4096, _bytes.Length - offset);
            _bytes.AsSpan(offset, length).CopyTo(writer.GetSpan(length));
            writer.Advance(length);
            await writer.FlushAsync();
        }

        await writer.CompleteAsync();
        using var timer = new RelayTimer(CancellationToken.None, CancellationToken.None, TimeSpan.FromMinutes(5));
        var sink = new ResponsesRelaySinkForBench();
        var outcome = await SseRelayLoop.RunAsync(_upstream.Reader, _client.Writer, sink, _framer, timer);
        await _upstream.Reader.CompleteAsync();
        await _client.Writer.CompleteAsync();
        var read = await _client.Reader.ReadAsync();
        var length2 = read.Buffer.Length;
        _client.Reader.AdvanceTo(read.Buffer.End);
        await _client.Reader.CompleteAsync();

        // A pipe can only be reset once both its ends completed, so the reuse happens here, not at the start.
        _upstream.Reset();
        _client.Reset();
        return length2 + outcome.Events;
    }

    /// <summary>The same async loop over an in-memory upstream (4 KB more per read) and a client drained on every flush:
    /// nothing in the harness allocates, so the Allocated column is the relay loop's own (timer, framer, sink, loop).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> RelayLoopInMemory()
    {
        _framer.Reset();
        _memoryUpstream.Reset();
        _drainingClient.Reset();
        var outcome = await SseRelayLoop.RunAsync(_memoryUpstream, _drainingClient, s_loopSink.Reset(), _framer, _timer);
        return _drainingClient.Flushed + outcome.Events;
    }

    private static readonly ResponsesRelaySinkForBench s_loopSink = new();

    /// <summary>The product sink, reset per stream.</summary>
    internal sealed class ResponsesRelaySinkForBench : StreamEventSink
    {
        private ResponsesRelaySink _inner = new();

        /// <summary>Starts a new stream: the product sink is per request, so a fresh one (two small objects per
        /// 2,000-event stream, well under 1 B per event).</summary>
        public ResponsesRelaySinkForBench Reset()
        {
            _inner = new ResponsesRelaySink();
            EventCount = 0;
            SawTerminal = false;
            return this;
        }

        /// <summary>Relays through the product sink; the terminal is recorded (so the loop ends the stream cleanly when
        /// the upstream completes) but not reported, so the loop reads the stream to its end.</summary>
        public override bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
        {
            _inner.OnEvent(sseEvent, output);
            SawTerminal = _inner.SawTerminal;
            return false;
        }

        public override void WriteFailure(string code, string message, IBufferWriter<byte> output) => _inner.WriteFailure(code, message, output);
    }
}
