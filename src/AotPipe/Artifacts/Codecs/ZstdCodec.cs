using System.Buffers;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace AotPipe.Artifacts.Codecs;

/// <summary>Zstandard frames through ZstdSharp.Port (managed, AOT-safe), with the content size recorded on write.</summary>
internal static class ZstdCodec
{
    /// <summary>
    /// Hard cap on decompressed output. A frame that would inflate past it fails cleanly instead of exhausting
    /// memory (a decompression bomb). Larger artifacts are stored uncompressed.
    /// </summary>
    public const int MaxDecompressedBytes = Lz4FrameCodec.MaxDecompressedBytes;

    /// <summary>Compression level; zstd's own default. Chosen in perf-reports/crypto.md.</summary>
    public const int Level = 3;

    private const ulong ContentSizeUnknown = ulong.MaxValue;
    private const ulong ContentSizeError = ulong.MaxValue - 1;

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    /// <summary>An upper bound on the frame size for <paramref name="sourceLength"/> input bytes.</summary>
    /// <param name="sourceLength">Input length.</param>
    /// <returns>A destination length that <see cref="Compress"/> never overruns.</returns>
    public static int GetMaxCompressedLength(int sourceLength) => Compressor.GetCompressBound(sourceLength);

    /// <summary>Compresses <paramref name="source"/> into one Zstandard frame.</summary>
    /// <param name="source">Input bytes.</param>
    /// <param name="destination">At least <see cref="GetMaxCompressedLength"/> bytes.</param>
    /// <returns>Frame bytes written.</returns>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < GetMaxCompressedLength(source.Length))
        {
            throw new ArgumentException("The destination is smaller than the Zstandard bound.", nameof(destination));
        }

        // Contexts hold ~100s of KB of native state: keep one per thread instead of one per artifact.
        t_compressor ??= new Compressor(Level);
        return t_compressor.Wrap(source, destination);
    }

    /// <summary>Decompresses one Zstandard frame, refusing output larger than <paramref name="maxOutputBytes"/>.</summary>
    /// <param name="source">The frame.</param>
    /// <param name="output">The decompressed bytes when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="maxOutputBytes">The cap; <see cref="MaxDecompressedBytes"/> unless a test lowers it.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/>; <see cref="OperationStatus.DestinationTooSmall"/> when the output would pass the
    /// cap; <see cref="OperationStatus.InvalidData"/> for anything that is not a valid frame.
    /// </returns>
    public static unsafe OperationStatus Decompress(ReadOnlySpan<byte> source, out byte[] output, int maxOutputBytes = MaxDecompressedBytes)
    {
        output = [];
        ulong declared;
        fixed (byte* input = source)
        {
            declared = Methods.ZSTD_getFrameContentSize(input, (nuint)source.Length);
        }

        if (declared == ContentSizeError)
        {
            return OperationStatus.InvalidData;
        }

        if (declared != ContentSizeUnknown && declared > (ulong)maxOutputBytes)
        {
            return OperationStatus.DestinationTooSmall;
        }

        t_decompressor ??= new Decompressor();
        byte[]? rented = null;
        try
        {
            if (declared != ContentSizeUnknown)
            {
                // The frame states its size: decode into exactly that; a frame that holds more is corrupt.
                byte[] result = declared == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)declared);
                if (!t_decompressor.TryUnwrap(source, result, out int written) || written != result.Length)
                {
                    return OperationStatus.InvalidData;
                }

                output = result;
                return OperationStatus.Done;
            }

            // No stated size (not written by this codec): decode into the cap and refuse anything that does not fit.
            rented = ArrayPool<byte>.Shared.Rent(maxOutputBytes);
            if (!t_decompressor.TryUnwrap(source, rented.AsSpan(0, maxOutputBytes), out int total))
            {
                return OperationStatus.DestinationTooSmall;
            }

            output = rented.AsSpan(0, total).ToArray();
            return OperationStatus.Done;
        }
        catch (ZstdException)
        {
            // ZstdSharp reports every error other than "destination too small" by throwing.
            return OperationStatus.InvalidData;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }
}
