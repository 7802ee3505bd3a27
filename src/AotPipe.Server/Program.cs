using AotPipe.Cli;

// The only file that touches the console: every command writes to the writers it is handed.
return await GatewayCommandLine.RunAsync(args, Console.In, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Out, Console.Error);
