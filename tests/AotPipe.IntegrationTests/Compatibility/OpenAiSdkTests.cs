using System.Diagnostics;
using System.Text.Json.Nodes;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Compatibility;

/// <summary>The official OpenAI SDK for Node (npm <c>openai</c>, pinned to 6.x) streams through the gateway and parses
/// every chunk without error (tests/compat/openai-stream.mjs).</summary>
public sealed class OpenAiSdkTests : IAsyncLifetime
{
    /// <summary>Longest a compat run (npm ci or the script) may take before the test gives up.</summary>
    private static readonly TimeSpan s_processTimeout = TimeSpan.FromMinutes(5);

    private MockOpenRouter _mock = null!;
    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenRouter.StartAsync();
        _gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(_mock));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _mock.DisposeAsync();
    }

    [Fact]
    public async Task OpenAiSdk_StreamsReasoningToolCallAndNonStream()
    {
        var compatDirectory = Repository.PathOf("tests", "compat");
        Prerequisite.Require(await CanRunAsync("node", "--version"), "node (Node.js 20+) on PATH");
        if (!Directory.Exists(Path.Combine(compatDirectory, "node_modules", "openai")))
        {
            Prerequisite.Require(await CanRunAsync("npm", "--version"), "npm on PATH");
            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], compatDirectory);
            Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Stderr);
        }

        var run = await RunAsync("node", ["openai-stream.mjs", _gateway.BaseAddress.ToString()], compatDirectory);

        Assert.True(run.ExitCode == 0, $"openai-stream.mjs exited {run.ExitCode}:\n{run.Stderr}\n{run.Stdout}");
        var summary = JsonNode.Parse(run.Stdout)!;
        var expected = JsonNode.Parse(Fixtures.Bytes("responses/expected.json"))!["fixtures"]!;
        Assert.StartsWith("6.", (string?)summary["sdk_version"], StringComparison.Ordinal);

        var reasoning = summary["reasoning_stream"]!;
        var reasoningExpected = expected["stream-reasoning-summary.sse"]!["client"]!;
        Assert.Equal((string?)reasoningExpected["content"], (string?)reasoning["content"]);
        Assert.Equal((string?)reasoningExpected["reasoning"], (string?)reasoning["reasoning"]);
        Assert.Equal("stop", (string?)reasoning["finish_reason"]);
        Assert.Equal((int)reasoningExpected["usage"]!["total_tokens"]!, (int)reasoning["usage"]!["total_tokens"]!);

        var tool = summary["tool_call_stream"]!;
        var toolExpected = expected["stream-function-call.sse"]!["client"]!["tool_calls"]![0]!;
        Assert.Equal("tool_calls", (string?)tool["finish_reason"]);
        var call = Assert.Single(tool["tool_calls"]!.AsArray())!;
        Assert.Equal("get_weather", (string?)call["name"]);
        Assert.Equal((string?)toolExpected["id"], (string?)call["id"]);
        Assert.Equal((string?)toolExpected["function"]!["arguments"], (string?)call["arguments"]);

        var nonStream = summary["non_stream"]!;
        var nonStreamExpected = expected["response-nonstream.json"]!["client"]!;
        Assert.Equal((string?)nonStreamExpected["content"], (string?)nonStream["content"]);
        Assert.Equal("stop", (string?)nonStream["finish_reason"]);
    }

    private static async Task<bool> CanRunAsync(string fileName, string argument)
    {
        try
        {
            return (await RunAsync(fileName, [argument], Directory.GetCurrentDirectory())).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_processTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {s_processTimeout}.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
