using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AotPipe.LoadGen;

// SSE load generator for the gateway benchmark. Prints one "key=value ..." line per run; exit 1 if a stream failed or
// a frame was lost or corrupted, 2 on usage errors.
//   aotpipe-loadgen run --url URL --body JSON [--header 'K: V']... --streams N --concurrency C --deltas D
//                       [--server-pid P] [--mock-pid M] [--label L] [--warmup K] [--timeout-s T]
//                       [--expect-markers K] [--extra-events E] [--ramp-ms R]
//     --expect-markers: marker lines each chat stream must end with (persistence on: 1; -1, the default, only counts)
//     --ramp-ms:        spread the workers' first streams over this many ms (0: all start at once, so the streams of a
//                       wave also end together, a burst); with it, stream ends arrive spread out as in a steady state
//     --extra-events:   upstream events per stream beyond the plain gen stream (mock/gen-N-MS-r adds 8), for CPU per event
//   aotpipe-loadgen slow --url URL --body JSON --clients K --seconds S [--server-pid P] [--label L] [--warmup K]
//     --warmup: bursts of K complete streams (K = clients) read before the idle sample (default 1), so that first-use
//               costs are not counted as growth
//   aotpipe-loadgen wait-ready --url URL --since-ns EPOCH_NS [--timeout-s T]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: aotpipe-loadgen run|slow|wait-ready --url URL ...");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
var headers = new List<string>();
for (var i = 1; i < args.Length - 1; i += 2)
{
    if (args[i] == "--header")
    {
        headers.Add(args[i + 1]);
    }
    else
    {
        options[args[i].TrimStart('-')] = args[i + 1];
    }
}

string Get(string name, string fallback) => options.TryGetValue(name, out var v) ? v : fallback;
int GetInt(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

var url = new Uri(Get("url", "http://127.0.0.1:8080/"));
if (!IPAddress.TryParse(url.Host, out var host) || !IPAddress.IsLoopback(host))
{
    Console.Error.WriteLine("only loopback targets are allowed");
    return 2;
}

var label = Get("label", "target");
var timeout = TimeSpan.FromSeconds(GetInt("timeout-s", 120));
using var cts = new CancellationTokenSource(timeout);

switch (args[0])
{
    case "wait-ready":
        return await WaitReadyAsync();
    case "slow":
        return await SlowAsync();
    case "run":
        return await RunAsync();
    default:
        Console.Error.WriteLine("unknown command " + args[0]);
        return 2;
}

async Task<int> WaitReadyAsync()
{
    // Start-up time: from the launch timestamp the script took (--since-ns, epoch ns) to the first HTTP response of any
    // status. Start the prober before the target so that the prober's own start is not counted; ready_ns lets the
    // script take its timestamp after starting the prober.
    var since = long.Parse(Get("since-ns", "0"), CultureInfo.InvariantCulture);
    var request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Host}:{url.Port}\r\nConnection: close\r\n\r\n");
    var endPoint = new IPEndPoint(host, url.Port);
    var buffer = new byte[64];
    while (!cts.IsCancellationRequested)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, cts.Token);
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read >= 12 && buffer.AsSpan(0, 5).SequenceEqual("HTTP/"u8))
            {
                var now = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
                var startup = since > 0 ? F((now - since) / 1e6) : "unknown";
                Console.WriteLine($"label={label} startup_ms={startup} ready_ns={now} status={Encoding.ASCII.GetString(buffer, 9, 3)}");
                return 0;
            }
        }
        catch (SocketException)
        {
            // Not listening yet.
        }
        catch (OperationCanceledException)
        {
            break;
        }

        // Polling every ~1 ms bounds the error at about 1 ms without spinning a core the starting target needs.
        await Task.Delay(1);
    }

    Console.WriteLine($"label={label} startup_ms=timeout");
    return 1;
}

async Task<int> SlowAsync()
{
    var client = new SseStreamClient(url, Get("body", "{}"), headers, 0);
    var server = new ProcessSampler(GetInt("server-pid", 0));
    var start = server.RssKiB();
    var seconds = GetInt("seconds", 10);
    var clients = GetInt("clients", 10);

    // As many complete streams as there will be slow clients, all at once and read at full speed: the growth then counts
    // what slow readers hold beyond what the same number of ordinary streams left behind, not first-use costs (pages of
    // the binary faulted in by the first stream and the first collection, pools grown), which any first burst pays.
    for (var i = 0; i < GetInt("warmup", 1); i++)
    {
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => client.RunAsync(cts.Token)));
    }

    var idle = server.RssKiB();
    var peak = idle;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peak = Math.Max(peak, server.RssKiB());
            await Task.Delay(20, CancellationToken.None);
        }
    });
    var tasks = Enumerable.Range(0, clients).Select(_ => client.RunSlowAsync(TimeSpan.FromSeconds(seconds), cts.Token)).ToArray();
    long bytes = 0;
    var failed = 0;
    foreach (var task in tasks)
    {
        try
        {
            bytes += await task;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            failed++;
        }
    }

    var atEnd = server.RssKiB();
    await sampling.CancelAsync();
    await sampler;
    Console.WriteLine($"label={label} workload=slow clients={clients} seconds={seconds} bytes_read={bytes} failed={failed} rss_start_kb={start} rss_idle_kb={idle} rss_peak_kb={peak} rss_end_kb={atEnd} rss_growth_kb={peak - idle}");
    return failed == 0 ? 0 : 1;
}

async Task<int> RunAsync()
{
    var deltas = GetInt("deltas", 100);
    var client = new SseStreamClient(url, Get("body", "{}"), headers, deltas, GetInt("expect-markers", -1));
    var server = new ProcessSampler(GetInt("server-pid", 0));
    var mockPid = GetInt("mock-pid", 0);
    var mock = new ProcessSampler(mockPid);
    var streams = GetInt("streams", 1);
    var concurrency = Math.Min(streams, GetInt("concurrency", 1));
    var idle = server.RssKiB();

    // Warm-up streams are not measured: first-request costs (connection pools, lazy init) belong to start-up.
    for (var i = 0; i < GetInt("warmup", 2); i++)
    {
        await client.RunAsync(cts.Token);
    }

    var peak = server.RssKiB();
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peak = Math.Max(peak, server.RssKiB());
            await Task.Delay(20, CancellationToken.None);
        }
    });

    var serverCpu0 = server.CpuSeconds();
    var mockCpu0 = mockPid > 0 ? mock.CpuSeconds() : 0;
    var results = new StreamResult[streams];
    var next = -1;
    var clock = Stopwatch.StartNew();
    var ramp = GetInt("ramp-ms", 0);
    var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
    {
        if (ramp > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds((double)ramp * worker / concurrency), cts.Token);
        }

        int index;
        while ((index = Interlocked.Increment(ref next)) < streams)
        {
            results[index] = await client.RunAsync(cts.Token);
        }
    })).ToArray();
    await Task.WhenAll(workers);
    clock.Stop();
    var serverCpu = server.CpuSeconds() - serverCpu0;
    var mockCpu = mockPid > 0 ? mock.CpuSeconds() - mockCpu0 : 0;
    await sampling.CancelAsync();
    await sampler;

    var ok = results.Count(r => r.Error is null && r.Corrupt == 0);
    var failed = streams - ok;
    long events = results.Sum(r => (long)r.Deltas);
    var lost = results.Sum(r => (long)Math.Max(0, deltas - r.Deltas));
    var corrupt = results.Sum(r => (long)r.Corrupt);
    var ttfe = results.Where(r => r.FirstEventTicks >= 0).Select(r => r.FirstEventTicks * 1000.0 / Stopwatch.Frequency).Order().ToArray();
    var frames = results.Sum(r => (long)r.Frames);
    // End of stream: last text delta to [DONE]; what persistence adds (seal, durable append, marker) lands here.
    var eos = results.Where(r => r.EndOfStreamTicks >= 0).Select(r => r.EndOfStreamTicks * 1000.0 / Stopwatch.Frequency).Order().ToArray();
    var markers = results.Sum(r => (long)r.Markers);
    // Events relayed: the frames the mock's gen mode sends per stream (comments, created, item added, deltas, completed,
    // [DONE]), so that relay and translation are divided by the same upstream work.
    var upstreamEvents = (long)(deltas + 5 + (deltas / 50) + GetInt("extra-events", 0)) * ok;
    var firstError = results.FirstOrDefault(r => r.Error is not null)?.Error?.Replace(' ', '_');
    Console.WriteLine(string.Join(' ',
        $"label={label} streams={streams} concurrency={concurrency} ok={ok} failed={failed} deltas={events} lost={lost} corrupt={corrupt} frames={frames}",
        $"wall_s={F(clock.Elapsed.TotalSeconds)} deltas_per_s={F(events / clock.Elapsed.TotalSeconds)} frames_per_s={F(frames / clock.Elapsed.TotalSeconds)}",
        $"ttfe_p50_ms={F(Percentile(ttfe, 0.50))} ttfe_p99_ms={F(Percentile(ttfe, 0.99))}",
        $"eos_p50_ms={F(Percentile(eos, 0.50))} eos_p99_ms={F(Percentile(eos, 0.99))} markers={markers}",
        $"cpu_server_s={F(serverCpu)} cpu_mock_s={F(mockCpu)} cpu_us_per_event={F(upstreamEvents > 0 ? serverCpu * 1e6 / upstreamEvents : 0)}",
        $"cpu_ratio_mock={F(mockCpu > 0 ? serverCpu / mockCpu : 0)} rss_idle_kb={idle} rss_peak_kb={peak} pids={string.Join(',', server.Pids)}",
        firstError is null ? string.Empty : "first_error=" + firstError));
    return failed == 0 && lost == 0 && corrupt == 0 ? 0 : 1;
}

static double Percentile(double[] sorted, double p)
{
    if (sorted.Length == 0)
    {
        return double.NaN;
    }

    var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
}
