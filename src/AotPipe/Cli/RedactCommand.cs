using System.Buffers;
using System.IO.Pipelines;
using AotPipe.Redaction;

namespace AotPipe.Cli;

/// <summary><c>aotpipe redact</c>: copies stdin to stdout with base64 data-URL blobs redacted exactly as logs are.</summary>
public static class RedactCommand
{
    /// <summary>Bytes read from stdin per call; memory stays constant whatever the input size.</summary>
    public const int ReadBufferSize = 64 * 1024;

    /// <summary>Streams <paramref name="stdin"/> through the redactor into <paramref name="stdout"/>. Returns 0.</summary>
    /// <param name="stdin">The input, read to its end.</param>
    /// <param name="stdout">The output; left open.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    public static async Task<int> RunAsync(Stream stdin, Stream stdout, CancellationToken cancellationToken)
    {
        var redactor = new Base64Redactor();
        var writer = PipeWriter.Create(stdout, new StreamPipeWriterOptions(leaveOpen: true));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            while (true)
            {
                int read = await stdin.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken);
                redactor.Redact(buffer.AsSpan(0, read), writer, isFinalBlock: read == 0);
                await writer.FlushAsync(cancellationToken);
                if (read == 0)
                {
                    break;
                }
            }

            await writer.CompleteAsync();
            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
