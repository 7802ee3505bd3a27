using AotPipe.TestKit;
using Xunit;

namespace AotPipe.IntegrationTests.Native;

/// <summary>
/// The binary sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> itself unless the operator set it. Observable
/// effect: with inline completions the socket engine runs one event thread per processor instead of one in all.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class InlineSocketCompletionsTests
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The runtime's name for a socket engine event thread (/proc/PID/task/TID/comm).</summary>
    private const string SocketEngineThread = ".NET Sockets";

    [Fact]
    public async Task NativeBinary_VariableUnset_RunsOneSocketEngineThreadPerProcessor()
    {
        RequirePrerequisites();
        Prerequisite.Require(Environment.GetEnvironmentVariable(Variable) is null, $"{Variable} unset in the test environment (the binary inherits it)");
        await using var gateway = await NativeGateway.StartAsync(new Dictionary<string, string>());
        Assert.Equal(Environment.ProcessorCount, SocketEngineThreads(gateway.ProcessId));
    }

    [Fact]
    public async Task NativeBinary_OperatorSetsZero_KeepsOneSocketEngineThread()
    {
        RequirePrerequisites();
        await using var gateway = await NativeGateway.StartAsync(new Dictionary<string, string> { [Variable] = "0" });
        Assert.Equal(1, SocketEngineThreads(gateway.ProcessId));
    }

    private static void RequirePrerequisites()
    {
        Prerequisite.Require(NativeGateway.Binary is not null, NativeGateway.Requirement);
        Prerequisite.Require(OperatingSystem.IsLinux(), "Linux (/proc thread names)");
        Prerequisite.Require(Environment.ProcessorCount > 1, "more than one processor (with one, both settings run one engine thread)");
    }

    private static int SocketEngineThreads(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == SocketEngineThread);
}
