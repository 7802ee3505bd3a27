using AotPipe.TestKit.Mock;

// Standalone mock OpenRouter for the README demo and the load benchmarks:
//   mock-openrouter [--urls http://127.0.0.1:9100] [--delay-ms N] [--fixtures DIR]
var urls = "http://127.0.0.1:9100";
string? fixtures = null;
var delayMs = 0;
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--urls": urls = args[++i]; break;
        case "--fixtures": fixtures = args[++i]; break;
        case "--delay-ms": delayMs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
    }
}

await using var mock = await MockOpenRouter.StartAsync(urls, fixtures);
mock.Behavior.EventDelay = TimeSpan.FromMilliseconds(delayMs);
Console.WriteLine($"mock OpenRouter at {mock.BaseUrl}");
var done = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    done.TrySetResult();
});
await done.Task;
