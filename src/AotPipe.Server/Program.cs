using AotPipe.Cli;

// The socket engine reads this variable once, when its type initialises; setting it here, before any socket exists,
// makes the binary run tuned as shipped. Together with Kestrel's inline scheduling it halves CPU per relayed event
// (PERFORMANCE.md, perf-reports/footprint.md). An operator's own value, including 0, is left alone.
const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
}

// The only file that touches the console: every command writes to the writers it is handed.
return await GatewayCommandLine.RunAsync(args, Console.In, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Out, Console.Error);
