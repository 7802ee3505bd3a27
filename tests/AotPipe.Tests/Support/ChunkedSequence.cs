using System.Buffers;

namespace AotPipe.Tests.Support;

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/> with one segment per chunk.</summary>
internal sealed class ChunkedSequence : ReadOnlySequenceSegment<byte>
{
    private ChunkedSequence(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Create(IReadOnlyList<byte[]> chunks)
    {
        var nonEmpty = chunks.Where(c => c.Length > 0).ToList();
        if (nonEmpty.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new ChunkedSequence(nonEmpty[0], 0);
        var last = first;
        foreach (var chunk in nonEmpty.Skip(1))
        {
            var next = new ChunkedSequence(chunk, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
