using System.Security.Cryptography;
using System.Text;
using AotPipe.Persistence;
using Xunit;

namespace AotPipe.Tests.Persistence;

public sealed class TableNameDigestTests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void HashData_Fips180Vectors(string message, string expectedHex)
    {
        Span<byte> digest = stackalloc byte[TableNameDigest.HashSizeInBytes];
        TableNameDigest.HashData(Encoding.ASCII.GetBytes(message), digest);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void HashData_EveryLengthAroundTheBlockAndPaddingEdges_EqualsSha256()
    {
        // 55/56 bytes: the length still fits the last block or needs a second one; 64: exactly one block of data.
        var random = new Random(20261127);
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> actual = stackalloc byte[TableNameDigest.HashSizeInBytes];
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            SHA256.HashData(data, expected);
            TableNameDigest.HashData(data, actual);
            Assert.True(expected.SequenceEqual(actual), $"length {length}");
        }
    }

    [Fact]
    public void HashData_DestinationTooSmall_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TableNameDigest.HashData([1, 2, 3], new byte[TableNameDigest.HashSizeInBytes - 1]));
}
