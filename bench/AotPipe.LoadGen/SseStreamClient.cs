using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AotPipe.LoadGen;

/// <summary>One streaming HTTP/1.1 request over a raw socket: decodes chunked bodies and SSE frames and checks every frame.</summary>
/// <remarks>Raw sockets keep the load generator far cheaper per event than the relays it measures.</remarks>
internal sealed class SseStreamClient
{
    private const int BufferSize = 16 * 1024;

    private readonly IPEndPoint _endPoint;
    private readonly byte[] _request;
    private readonly int _expectedDeltas;
    private readonly int _expectedMarkers;

    /// <summary>Prepares the request bytes once for all streams.</summary>
    /// <param name="expectedMarkers">Marker lines every stream must end with (persistence on), or -1 to only count them.</param>
    public SseStreamClient(Uri url, string body, IReadOnlyList<string> headers, int expectedDeltas, int expectedMarkers = -1)
    {
        _expectedMarkers = expectedMarkers;
        _endPoint = new IPEndPoint(IPAddress.Parse(url.Host), url.Port);
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder();
        head.Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\nHost: ").Append(url.Host).Append(':').Append(url.Port)
            .Append("\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nAuthorization: Bearer bench\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(bodyBytes.Length).Append("\r\n\r\n");
        _request = [.. Encoding.ASCII.GetBytes(head.ToString()), .. bodyBytes];
        _expectedDeltas = expectedDeltas;
    }

    /// <summary>Runs one stream to its end, failure or cancellation.</summary>
    public async Task<StreamResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = new StreamResult();
        var start = Stopwatch.GetTimestamp();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_endPoint, cancellationToken);
            await socket.SendAsync(_request, SocketFlags.None, cancellationToken);
            var parser = new Parser(result, start, _expectedDeltas);
            var buffer = new byte[BufferSize];
            while (!parser.Finished)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    parser.EndOfInput();
                    break;
                }

                parser.Feed(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            result.Error ??= e.GetType().Name + ": " + e.Message;
        }

        if (result.Error is null && (result.Status != 200 || !result.Done || result.Deltas != _expectedDeltas))
        {
            result.Error = $"status {result.Status}, done {result.Done}, deltas {result.Deltas}/{_expectedDeltas}";
        }

        if (result.Error is null && _expectedMarkers >= 0 && result.Markers != _expectedMarkers)
        {
            result.Error = $"markers {result.Markers}/{_expectedMarkers}";
        }

        return result;
    }

    /// <summary>Opens a stream and then reads it one byte per second for <paramref name="duration"/>: a slow client.</summary>
    public async Task<long> RunSlowAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(_endPoint, cancellationToken);
        await socket.SendAsync(_request, SocketFlags.None, cancellationToken);
        var one = new byte[1];
        long received = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 0)
            {
                break;
            }

            received++;
            await Task.Delay(1000, cancellationToken);
        }

        return received;
    }

    /// <summary>Incremental HTTP/1.1 response, chunked-body and SSE parser.</summary>
    private sealed class Parser(StreamResult result, long start, int expectedDeltas)
    {
        private static readonly byte[] s_headerEnd = "\r\n\r\n"u8.ToArray();

        private readonly List<byte> _head = [];
        private readonly List<byte> _frame = [];
        private bool _inBody;
        private bool _chunked;
        private long _remainingChunk = -1;
        private readonly List<byte> _chunkLine = [];
        private bool _skipCrlf;
        private long _lastSequence = -1;
        private int _nextToken;
        private int _newlines;
        private long _lastDeltaAt = -1;

        public bool Finished { get; private set; }

        public void Feed(ReadOnlySpan<byte> data)
        {
            if (!_inBody)
            {
                foreach (var b in data)
                {
                    _head.Add(b);
                }

                var head = CollectionsMarshalSpan(_head);
                var end = head.IndexOf(s_headerEnd);
                if (end < 0)
                {
                    return;
                }

                ParseHead(Encoding.ASCII.GetString(head[..end]));
                var rest = head[(end + 4)..].ToArray();
                _head.Clear();
                _inBody = true;
                data = rest;
            }

            if (!_chunked)
            {
                Body(data);
                return;
            }

            while (!data.IsEmpty && !Finished)
            {
                if (_skipCrlf)
                {
                    // The CRLF after a chunk's payload.
                    if (data[0] is (byte)'\r' or (byte)'\n')
                    {
                        if (data[0] == '\n')
                        {
                            _skipCrlf = false;
                        }

                        data = data[1..];
                        continue;
                    }

                    _skipCrlf = false;
                }

                if (_remainingChunk <= 0)
                {
                    var nl = data.IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        foreach (var b in data)
                        {
                            _chunkLine.Add(b);
                        }

                        return;
                    }

                    foreach (var b in data[..nl])
                    {
                        _chunkLine.Add(b);
                    }

                    data = data[(nl + 1)..];
                    var line = Encoding.ASCII.GetString(CollectionsMarshalSpan(_chunkLine)).Trim();
                    _chunkLine.Clear();
                    var semi = line.IndexOf(';', StringComparison.Ordinal);
                    if (semi >= 0)
                    {
                        line = line[..semi];
                    }

                    _remainingChunk = Convert.ToInt64(line, 16);
                    if (_remainingChunk == 0)
                    {
                        Finished = true;
                        return;
                    }

                    continue;
                }

                var take = (int)Math.Min(_remainingChunk, data.Length);
                Body(data[..take]);
                data = data[take..];
                _remainingChunk -= take;
                if (_remainingChunk == 0)
                {
                    _skipCrlf = true;
                }
            }
        }

        public void EndOfInput()
        {
            if (_chunked && !Finished)
            {
                result.Error ??= "connection closed inside the chunked body";
            }

            Finished = true;
        }

        private void ParseHead(string head)
        {
            var lines = head.Split("\r\n");
            var status = lines[0].Split(' ');
            result.Status = status.Length > 1 && int.TryParse(status[1], out var code) ? code : 0;
            foreach (var line in lines.Skip(1))
            {
                if (line.StartsWith("transfer-encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    _chunked = true;
                }
            }
        }

        private void Body(ReadOnlySpan<byte> data)
        {
            result.Bytes += data.Length;
            foreach (var b in data)
            {
                if (b == '\r')
                {
                    continue;
                }

                _frame.Add(b);
                _newlines = b == '\n' ? _newlines + 1 : 0;
                if (_newlines == 2)
                {
                    Frame(CollectionsMarshalSpan(_frame));
                    _frame.Clear();
                    _newlines = 0;
                }
            }
        }

        private void Frame(ReadOnlySpan<byte> frame)
        {
            result.Frames++;
            var data = new List<byte>();
            var isData = false;
            while (!frame.IsEmpty)
            {
                var nl = frame.IndexOf((byte)'\n');
                var line = nl < 0 ? frame : frame[..nl];
                frame = nl < 0 ? [] : frame[(nl + 1)..];
                if (line.StartsWith("data:"u8))
                {
                    var value = line[5..];
                    if (!value.IsEmpty && value[0] == ' ')
                    {
                        value = value[1..];
                    }

                    if (isData)
                    {
                        data.Add((byte)'\n');
                    }

                    isData = true;
                    foreach (var b in value)
                    {
                        data.Add(b);
                    }
                }
            }

            if (!isData)
            {
                return;
            }

            if (result.FirstEventTicks < 0)
            {
                result.FirstEventTicks = Stopwatch.GetTimestamp() - start;
            }

            var payload = CollectionsMarshalSpan(data);
            if (payload.SequenceEqual("[DONE]"u8))
            {
                result.Done = true;
                if (_lastDeltaAt >= 0)
                {
                    result.EndOfStreamTicks = Stopwatch.GetTimestamp() - _lastDeltaAt;
                }

                return;
            }

            if (!IsJson(payload))
            {
                result.Corrupt++;
                return;
            }

            var seqAt = payload.IndexOf("\"sequence_number\":"u8);
            if (seqAt >= 0 && Utf8Parser.TryParse(payload[(seqAt + 18)..], out long sequence, out _))
            {
                if (_lastSequence >= 0 && sequence != _lastSequence + 1)
                {
                    result.Corrupt++;
                }

                _lastSequence = sequence;
            }

            var tokenAt = payload.IndexOf("\"delta\":\"token "u8);
            var skip = 15;
            if (tokenAt < 0)
            {
                tokenAt = payload.IndexOf("\"content\":\"token "u8);
                skip = 17;
            }

            if (tokenAt >= 0)
            {
                if (Utf8Parser.TryParse(payload[(tokenAt + skip)..], out int token, out _) && token == _nextToken && token < expectedDeltas && result.Markers == 0)
                {
                    _nextToken++;
                    result.Deltas++;
                    _lastDeltaAt = Stopwatch.GetTimestamp();
                }
                else
                {
                    result.Corrupt++;
                }

                return;
            }

            if (payload.IndexOf("]: #"u8) >= 0)
            {
                CheckMarkers(payload);
            }
        }

        /// <summary>
        /// A content chunk carrying marker lines (DESIGN.md section 4): only after every delta, each line either blank or
        /// exactly <c>[&lt;20 Crockford base32&gt;]: #</c>. Anything else that looks like a marker is corruption.
        /// </summary>
        private void CheckMarkers(ReadOnlySpan<byte> payload)
        {
            var reader = new Utf8JsonReader(payload);
            string? content = null;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    content = reader.GetString();
                    break;
                }
            }

            if (content is null || _nextToken != expectedDeltas)
            {
                result.Corrupt++;
                return;
            }

            foreach (var line in content.Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.Length == 0)
                {
                    continue;
                }

                if (IsMarker(trimmed))
                {
                    result.Markers++;
                }
                else
                {
                    result.Corrupt++;
                }
            }
        }

        private static bool IsMarker(string line)
        {
            const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
            if (line.Length != 25 || line[0] != '[' || !line.EndsWith("]: #", StringComparison.Ordinal))
            {
                return false;
            }

            for (var i = 1; i <= 20; i++)
            {
                if (!Alphabet.Contains(line[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsJson(ReadOnlySpan<byte> payload)
        {
            try
            {
                var reader = new Utf8JsonReader(payload);
                while (reader.Read())
                {
                }

                return reader.BytesConsumed == payload.Length;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static ReadOnlySpan<byte> CollectionsMarshalSpan(List<byte> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);
    }
}
