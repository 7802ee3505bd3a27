using System.Text;
using AotPipe.Cli;
using AotPipe.Redaction;
using Xunit;

namespace AotPipe.Tests.Cli;

public sealed class RedactCommandTests
{
    /// <summary>Returns at most a few bytes per read, so payloads straddle many reads.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        private int _calls;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1 + (_calls++ % 7))], cancellationToken);
    }

    private static string Input()
    {
        string payload = string.Concat(Enumerable.Repeat("QUJD+/==", 1000));
        return "line one\n{\"url\":\"data:image/png;base64," + payload + "\"}\nDATA:;base64," + payload[..300] + "\nend";
    }

    [Fact]
    public async Task LargeInput_MatchesRedactToString()
    {
        string input = Input() + new string('x', 300_000);
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(input));
        using var stdout = new MemoryStream();
        Assert.Equal(0, await RedactCommand.RunAsync(stdin, stdout, TestContext.Current.CancellationToken));
        Assert.Equal(Base64Redactor.RedactToString(Encoding.UTF8.GetBytes(input)), Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Contains("…[REDACTED](8000 chars)…", Encoding.UTF8.GetString(stdout.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TinyReads_GiveTheSameOutput()
    {
        string input = Input();
        using var stdin = new TrickleStream(Encoding.UTF8.GetBytes(input));
        using var stdout = new MemoryStream();
        Assert.Equal(0, await RedactCommand.RunAsync(stdin, stdout, TestContext.Current.CancellationToken));
        Assert.Equal(Base64Redactor.RedactToString(Encoding.UTF8.GetBytes(input)), Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public async Task EmptyInput_WritesNothing()
    {
        using var stdin = new MemoryStream();
        using var stdout = new MemoryStream();
        Assert.Equal(0, await RedactCommand.RunAsync(stdin, stdout, TestContext.Current.CancellationToken));
        Assert.Equal(0, stdout.Length);
    }
}
