using System.Diagnostics;
using AotPipe.Cli;
using AotPipe.Security;
using Microsoft.Extensions.Time.Testing;

using Xunit;

namespace AotPipe.Tests.Cli;

public sealed class EncryptSecretCommandTests
{
    private const string SecretKey = "q7Zk3+Vd9sT1bW0x";

    [Theory]
    [InlineData("sk-or-v1-abc\n", "sk-or-v1-abc")]
    [InlineData("sk-or-v1-abc\r\n", "sk-or-v1-abc")]
    [InlineData("sk-or-v1-abc", "sk-or-v1-abc")]
    [InlineData("sk-or-v1-abc\n\n", "sk-or-v1-abc\n")]
    [InlineData("sk-or-v1-abc\r\n\r\n", "sk-or-v1-abc\r\n")]
    [InlineData("sk-or-v1-abc\r", "sk-or-v1-abc\r")]
    [InlineData(" spaced secret \n", " spaced secret ")]
    [InlineData("multi\nline\n", "multi\nline")]
    public async Task RunAsync_DropsExactlyOneTrailingNewline(string input, string expectedSecret)
    {
        (int exit, string stdout, string stderr) = await RunAsync(input, SecretKey);

        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.EndsWith("\n", stdout, StringComparison.Ordinal);
        string value = stdout.TrimEnd('\n');
        Assert.StartsWith("encrypted:", value, StringComparison.Ordinal);
        Assert.Equal(SecretResolution.Decrypted, EncryptedSecret.Resolve("API_KEY", value, SecretKey, out string? plaintext));
        Assert.Equal(expectedSecret, plaintext);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task RunAsync_KeyUnset_Exits2WithMessage(string? key)
    {
        (int exit, string stdout, string stderr) = await RunAsync("sk-or-v1-abc\n", key);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("WEBUI_SECRET_KEY is not set", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-or-v1-abc", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task RunAsync_EmptySecret_Exits2(string input)
    {
        (int exit, string stdout, string stderr) = await RunAsync(input, SecretKey);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("no secret", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AlreadyEncrypted_PrintsUnchanged()
    {
        string value = EncryptedSecret.Encrypt("x", SecretKey, TimeProvider.System);

        (int exit, string stdout, string stderr) = await RunAsync(value + "\n", SecretKey);

        Assert.Equal(0, exit);
        Assert.Equal(value + "\n", stdout);
        Assert.Contains("already", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Output_DecryptsInPython()
    {
        string python = FindPythonWithCryptography();
        const string Secret = "sk-or-v1-ünïcödé ✓ 0123";
        (int exit, string stdout, _) = await RunAsync(Secret + "\n", SecretKey, TimeProvider.System);
        Assert.Equal(0, exit);

        // The same decrypt Open WebUI's EncryptedStr performs.
        const string Script =
            "import base64,hashlib,os,sys\n" +
            "from cryptography.fernet import Fernet\n" +
            "k=base64.urlsafe_b64encode(hashlib.sha256(os.environ['WEBUI_SECRET_KEY'].encode()).digest())\n" +
            "v=sys.stdin.read().strip()\n" +
            "assert v.startswith('encrypted:')\n" +
            "sys.stdout.buffer.write(Fernet(k).decrypt(v[10:].encode()))\n";
        (int pyExit, string pyOut, string pyErr) = await RunProcessAsync(python, ["-c", Script], stdout, new() { ["WEBUI_SECRET_KEY"] = SecretKey });

        Assert.True(pyExit == 0, pyErr);
        Assert.Equal(Secret, pyOut);
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(string input, string? key) =>
        RunAsync(input, key, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string input, string? key, TimeProvider time)
    {
        using StringReader stdin = new(input);
        using StringWriter stdout = new() { NewLine = "\n" };
        using StringWriter stderr = new() { NewLine = "\n" };
        int exit = await EncryptSecretCommand.RunAsync(stdin, stdout, stderr, key, time);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string FindPythonWithCryptography()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                (int exit, _, _) = RunProcessAsync(candidate, ["-c", "import cryptography.fernet"], string.Empty, []).GetAwaiter().GetResult();
                if (exit == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }

        const string Message = "python3 with the 'cryptography' package is required to check interoperability (Debian: python3-cryptography).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(Message);
        }

        Assert.Skip(Message);
        return string.Empty;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunProcessAsync(string file, string[] args, string stdin, Dictionary<string, string> env)
    {
        ProcessStartInfo psi = new(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in env)
        {
            psi.Environment[name] = value;
        }

        using Process process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
