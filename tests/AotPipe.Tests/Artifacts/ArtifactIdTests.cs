using System.Text.RegularExpressions;
using AotPipe.Artifacts;
using Xunit;

namespace AotPipe.Tests.Artifacts;

public sealed class ArtifactIdTests
{
    private static readonly Regex s_shape = new("^[0-9A-HJKMNP-TV-Z]{20}$", RegexOptions.CultureInvariant);

    [Fact]
    public void NewId_HasMarkerShape()
    {
        var id = ArtifactId.NewId();
        Assert.Matches(s_shape, id);
        Assert.True(ArtifactId.IsValid(id));
    }

    [Fact]
    public void NewId_ClockPartIsUnixNanoseconds()
    {
        var id = ArtifactId.NewId();
        ulong value = 0;
        foreach (var c in id.AsSpan(0, ArtifactId.ClockChars))
        {
            value = (value << 5) | (uint)"0123456789ABCDEFGHJKMNPQRSTVWXYZ".IndexOf(c, StringComparison.Ordinal);
        }

        var nanos = (long)value;
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        // The clock is anchored at process start and advanced by the monotonic clock: close to wall time.
        Assert.InRange(nanos, now - TimeSpan.FromMinutes(10).Ticks * 100, now + TimeSpan.FromMinutes(1).Ticks * 100);
    }

    [Theory]
    [InlineData("01HZZZZZZZZZZZZZZZZZ", true)]
    [InlineData("0000000000000000000A", true)]
    [InlineData("01HZZZZZZZZZZZZZZZZ", false)] // 19 characters, one short
    [InlineData("01HZZZZZZZZZZZZZZZZZZ", false)] // 21 characters, one past
    [InlineData("01hzzzzzzzzzzzzzzzzz", false)] // lower case
    [InlineData("01HZZZZZZZZZZZZZZZZI", false)] // I is not Crockford
    [InlineData("01HZZZZZZZZZZZZZZZZL", false)]
    [InlineData("01HZZZZZZZZZZZZZZZZO", false)]
    [InlineData("01HZZZZZZZZZZZZZZZZU", false)]
    [InlineData("", false)]
    public void IsValid_ChecksLengthAndAlphabet(string value, bool expected) =>
        Assert.Equal(expected, ArtifactId.IsValid(value));

    [Fact]
    public void NewId_ManyThreads_AllUniqueAndSortedPerThread()
    {
        const int Threads = 8;
        const int PerThread = 20_000;
        var results = new string[Threads][];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var ids = new string[PerThread];
            start.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                ids[i] = ArtifactId.NewId();
            }

            results[t] = ids;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ids in results)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                Assert.True(all.Add(ids[i]), "duplicate id");
                if (i > 0)
                {
                    Assert.True(string.CompareOrdinal(ids[i - 1], ids[i]) < 0, "ids of one thread must increase");
                }
            }
        }

        Assert.Equal(Threads * PerThread, all.Count);
    }
}
