namespace AotPipe.Cli;

/// <summary>Entry point for every <c>aotpipe</c> subcommand.</summary>
public static class GatewayCommandLine
{
    /// <summary>Runs the command named by <paramref name="args"/> and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextReader stdin, Stream stdinStream, Stream stdoutStream, TextWriter stdout, TextWriter stderr)
    {
        await stdout.WriteLineAsync("aotpipe");
        return 0;
    }
}
