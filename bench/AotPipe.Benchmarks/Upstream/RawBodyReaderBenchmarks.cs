using System.Text;
using AotPipe.Benchmarks.Streaming;
using AotPipe.Streaming;
using AotPipe.Upstream.Raw;
using BenchmarkDotNet.Attributes;

namespace AotPipe.Benchmarks.Upstream;

/// <summary>The raw upstream body reader over a chunked 2,000-event Responses stream in memory, one chunk per event as
/// the upstream flushes them, 4 KB per read (perf-reports/relay.md). Rows are per event.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("relay")]
public class RawBodyReaderBenchmarks
{
    /// <summary>Events per stream.</summary>
    public const int Events = 2000;

    private const int ReadBytes = 4096;

    private InMemoryChunkedStream _wire = null!;
    private SseFramer _framer = null!;
    private DrainingClientWriter _client = null!;
    private RelayTimer _timer = null!;
    private readonly RelayBenchmarks.ResponsesRelaySinkForBench _sink = new();

    [GlobalSetup]
    public void Setup()
    {
        var wire = new MemoryStream();
        void Chunk(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            wire.Write(Encoding.ASCII.GetBytes(bytes.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"));
            wire.Write(bytes);
            wire.Write("\r\n"u8);
        }

        Chunk(": OPENROUTER PROCESSING\n\n");
        Chunk("data: {\"type\":\"response.created\",\"response\":{\"id\":\"gen-1\",\"status\":\"in_progress\"},\"sequence_number\":0}\n\n");
        for (var i = 1; i <= Events - 2; i++)
        {
            Chunk("data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_tmp_0123456789abcdef\",\"output_index\":0,\"content_index\":0,\"delta\":\"token "
                + (i % 1000) + " \",\"sequence_number\":" + i + "}\n\n");
        }

        Chunk("data: {\"type\":\"response.completed\",\"response\":{\"id\":\"gen-1\",\"status\":\"completed\"},\"sequence_number\":" + (Events - 1) + "}\n\n");
        Chunk("data: [DONE]\n\n");
        wire.Write("0\r\n\r\n"u8);
        _wire = new InMemoryChunkedStream(wire.ToArray(), ReadBytes);
        _framer = new SseFramer();
        _client = new DrainingClientWriter(64 * 1024);
        _timer = new RelayTimer(CancellationToken.None, CancellationToken.None, TimeSpan.FromMinutes(5));
    }

    [GlobalCleanup]
    public void Cleanup() => _timer.Dispose();

    /// <summary>Chunked decoding alone: every read's data consumed at once.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> DecodeChunked()
    {
        _wire.Reset();
        var reader = new RawBodyReader(_wire, BodyFraming.Chunked, 0, default, keepAlive: true, owner: null);
        long total = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
        return total;
    }

    /// <summary>The relay loop (framer, product sink, timer) over the raw reader: compare with
    /// <c>RelayBenchmarks.RelayLoopInMemory</c>, the same loop over an already-decoded body.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> RelayLoopOverRawBody()
    {
        _wire.Reset();
        _framer.Reset();
        _client.Reset();
        var reader = new RawBodyReader(_wire, BodyFraming.Chunked, 0, default, keepAlive: true, owner: null);
        var outcome = await SseRelayLoop.RunAsync(reader, _client, _sink.Reset(), _framer, _timer);
        await reader.CompleteAsync();
        return _client.Flushed + outcome.Events;
    }
}
