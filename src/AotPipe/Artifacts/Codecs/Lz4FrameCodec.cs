using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Encoders;
using K4os.Compression.LZ4.Streams;
using K4os.Compression.LZ4.Streams.Adapters;
using K4os.Compression.LZ4.Streams.Frames;

namespace AotPipe.Artifacts.Codecs;

/// <summary>
/// LZ4 <b>frame</b> format (magic <c>04 22 4D 18</c>) through K4os, so rows written by Python's <c>lz4.frame</c>
/// (linked 64 KiB blocks, content size stored) read back, and rows written here read in Python.
/// </summary>
internal static class Lz4FrameCodec
{
    /// <summary>
    /// Hard cap on decompressed output. A frame that would inflate past it fails cleanly instead of exhausting
    /// memory (a decompression bomb). Larger artifacts are stored uncompressed.
    /// </summary>
    public const int MaxDecompressedBytes = 64 * 1024 * 1024;

    /// <summary>First guess for a frame that does not state its content size (grown by doubling up to the cap).</summary>
    private const int InitialUnknownSizeGuess = 64 * 1024;

    /// <summary>Block size written; the Python original's <c>lz4.frame</c> default (64 KiB).</summary>
    private const int BlockSize = 64 * 1024;

    /// <summary>Magic, FLG, BD, 8-byte content size, dictionary id and header checksum.</summary>
    private const int MaxFrameHeaderSize = 4 + 1 + 1 + 8 + 4 + 1;

    /// <summary>Each block: 4-byte size word and an optional 4-byte block checksum.</summary>
    private const int PerBlockOverhead = 4 + 4;

    /// <summary>End mark and optional content checksum.</summary>
    private const int FrameTrailerSize = 4 + 4;

    // K4os's span writer cannot record the content size, so readers of these frames size their output by growing.
    private static readonly LZ4EncoderSettings s_encoderSettings = new()
    {
        BlockSize = BlockSize,
        ChainBlocks = true,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    private static readonly Func<ILZ4Descriptor, ILZ4Decoder> s_decoderFactory = static d => d.CreateDecoder();

    /// <summary>An upper bound on the frame size for <paramref name="sourceLength"/> input bytes.</summary>
    /// <param name="sourceLength">Input length.</param>
    /// <returns>A destination length that <see cref="Compress"/> never overruns.</returns>
    public static int GetMaxCompressedLength(int sourceLength)
    {
        int blocks = Math.Max(1, (sourceLength + BlockSize - 1) / BlockSize);
        long bound = MaxFrameHeaderSize + FrameTrailerSize + ((long)blocks * (PerBlockOverhead + LZ4Codec.MaximumOutputSize(BlockSize)));
        return (int)Math.Min(bound, Array.MaxLength);
    }

    /// <summary>Compresses <paramref name="source"/> into one LZ4 frame (64 KiB linked blocks, no checksums).</summary>
    /// <param name="source">Input bytes.</param>
    /// <param name="destination">At least <see cref="GetMaxCompressedLength"/> bytes.</param>
    /// <returns>Frame bytes written.</returns>
    public static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < GetMaxCompressedLength(source.Length))
        {
            throw new ArgumentException("The destination is smaller than the LZ4 frame bound.", nameof(destination));
        }

        fixed (byte* target = destination)
        {
            using ByteSpanLZ4FrameWriter writer = LZ4Frame.Encode(target, destination.Length, s_encoderSettings);
            writer.WriteManyBytes(source);
            writer.CloseFrame();
            return writer.CompressedLength;
        }
    }

    /// <summary>Decompresses one LZ4 frame, refusing output larger than <paramref name="maxOutputBytes"/>.</summary>
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
        byte[]? buffer = null;
        try
        {
            fixed (byte* input = source)
            {
                using ByteSpanLZ4FrameReader reader = new(UnsafeByteSpan.Create(input, source.Length), s_decoderFactory);
                if (!reader.OpenFrame())
                {
                    return OperationStatus.InvalidData;
                }

                long? declared = reader.GetFrameLength();
                if (declared > maxOutputBytes)
                {
                    return OperationStatus.DestinationTooSmall;
                }

                if (declared is long exact)
                {
                    // The frame states its size: read exactly that much, then make sure nothing follows.
                    byte[] result = exact == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)exact);
                    int filled = ReadFully(reader, result);
                    if (filled != result.Length || HasMore(reader))
                    {
                        return OperationStatus.InvalidData;
                    }

                    output = result;
                    return OperationStatus.Done;
                }

                int capacity = Math.Min(maxOutputBytes, Math.Max(InitialUnknownSizeGuess, source.Length * 4));
                buffer = ArrayPool<byte>.Shared.Rent(capacity);
                int total = 0;
                while (true)
                {
                    int limit = Math.Min(buffer.Length, maxOutputBytes);
                    int read = total < limit ? reader.ReadManyBytes(buffer.AsSpan(total, limit - total)) : 0;
                    if (read > 0)
                    {
                        total += read;
                        continue;
                    }

                    if (total < limit)
                    {
                        break; // end of frame
                    }

                    if (limit == maxOutputBytes)
                    {
                        return HasMore(reader) ? OperationStatus.DestinationTooSmall : Finish(buffer, total, out output);
                    }

                    byte[] grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxOutputBytes));
                    buffer.AsSpan(0, total).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                    buffer = grown;
                }

                return Finish(buffer, total, out output);
            }
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException or EndOfStreamException or NotImplementedException or IndexOutOfRangeException)
        {
            // K4os reports a malformed frame (bad magic, checksum, truncated block) by throwing.
            output = [];
            return OperationStatus.InvalidData;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            }
        }
    }

    private static OperationStatus Finish(byte[] buffer, int total, out byte[] output)
    {
        output = buffer.AsSpan(0, total).ToArray();
        return OperationStatus.Done;
    }

    private static int ReadFully(ByteSpanLZ4FrameReader reader, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = reader.ReadManyBytes(destination[total..]);
            if (read <= 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static bool HasMore(ByteSpanLZ4FrameReader reader)
    {
        Span<byte> probe = stackalloc byte[1];
        return reader.ReadManyBytes(probe) > 0;
    }
}
