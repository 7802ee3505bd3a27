using System.Buffers;
using Xunit;

namespace AotPipe.Tests.Streaming;

/// <summary>Builds multi-segment sequences, as a pipe hands them over when an event spans two reads.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    private BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Splits <paramref name="data"/> into up to four segments at random points (1-byte segments included).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, Random random)
    {
        if (data.Length < 2)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var cuts = Enumerable.Range(0, 3).Select(_ => random.Next(1, data.Length)).Append(1).Distinct().Order().ToArray();
        var first = new BufferSegment(data.AsMemory(0, cuts[0]), 0);
        var last = first;
        for (var i = 0; i < cuts.Length; i++)
        {
            var end = i + 1 < cuts.Length ? cuts[i + 1] : data.Length;
            var next = new BufferSegment(data.AsMemory(cuts[i], end - cuts[i]), cuts[i]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
