using AotPipe.Security;

namespace AotPipe.Cli;

/// <summary><c>aotpipe encrypt-secret</c>: reads a secret on stdin and prints it as an Open WebUI <c>encrypted:</c> value.</summary>
public static class EncryptSecretCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="stdin">The secret; all of it is read and one trailing newline (<c>\n</c> or <c>\r\n</c>) is dropped.</param>
    /// <param name="stdout">Receives <c>encrypted:...</c> and a newline.</param>
    /// <param name="stderr">Receives usage and configuration errors.</param>
    /// <param name="webuiSecretKey">The <c>WEBUI_SECRET_KEY</c> value.</param>
    /// <param name="time">Source of the token timestamp.</param>
    /// <returns>0 on success, 2 when the key is unset or stdin holds no secret.</returns>
    public static async Task<int> RunAsync(TextReader stdin, TextWriter stdout, TextWriter stderr, string? webuiSecretKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (string.IsNullOrEmpty(webuiSecretKey))
        {
            await stderr.WriteLineAsync("encrypt-secret: WEBUI_SECRET_KEY is not set; set it to the same value Open WebUI uses, then run again.");
            return 2;
        }

        string secret = await stdin.ReadToEndAsync();
        if (secret.EndsWith("\r\n", StringComparison.Ordinal))
        {
            secret = secret[..^2];
        }
        else if (secret.EndsWith('\n'))
        {
            secret = secret[..^1];
        }

        if (secret.Length == 0)
        {
            await stderr.WriteLineAsync("encrypt-secret: no secret on stdin; pipe the secret in, for example: printf '%s' \"$SECRET\" | aotpipe encrypt-secret");
            return 2;
        }

        if (EncryptedSecret.IsEncrypted(secret))
        {
            await stderr.WriteLineAsync("encrypt-secret: the input is already an encrypted: value; printing it unchanged.");
        }

        await stdout.WriteLineAsync(EncryptedSecret.Encrypt(secret, webuiSecretKey, time));
        await stdout.FlushAsync();
        return 0;
    }
}
