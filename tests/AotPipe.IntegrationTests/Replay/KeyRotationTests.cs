using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AotPipe.Cli;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using Xunit;

namespace AotPipe.IntegrationTests.Replay;

public sealed partial class KeyRotationTests
{
    [GeneratedRegex(@"\[([0-9A-HJKMNP-TV-Z]{20})\]: #")]
    private static partial Regex Marker();

    [Fact]
    public async Task RotateArtifactKey_OldMarkersReplayUnderTheNewKey_AndARepeatedRunChangesNothing()
    {
        var dataDir = Directory.CreateTempSubdirectory("aotpipe-rotate-").FullName;
        await using var mock = await MockOpenRouter.StartAsync();
        const string OldKey = "old-artifact-key-0123456789abcdef0123";
        const string NewKey = "new-artifact-key-0123456789abcdef0123";
        string first;
        await using (var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_DATA_DIR", dataDir), ("ARTIFACT_ENCRYPTION_KEY", OldKey))))
        {
            first = Chat.ChatCompletionsTests_Helpers.Content(await ArtifactReplayTests.ChatAsync(gateway, "alice", "chat-rot", "[{\"role\":\"user\",\"content\":\"hi\"}]"));
        }

        Assert.Single(Marker().Matches(first));
        var env = new Dictionary<string, string?> { ["AOTPIPE_DATA_DIR"] = dataDir, ["ARTIFACT_ENCRYPTION_KEY"] = NewKey, ["ARTIFACT_ENCRYPTION_KEY_PREVIOUS"] = OldKey };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await RotateArtifactKeyCommand.RunAsync(env, stdout, stderr, TestContext.Current.CancellationToken);
        var again = await RotateArtifactKeyCommand.RunAsync(env, new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Equal(0, again);
        Assert.Contains("rotated 1 rows, 0 could not be opened", stdout.ToString());

        await using (var gateway = await GatewayHost.StartAsync(GatewayHost.EnvironmentFor(mock, ("AOTPIPE_DATA_DIR", dataDir), ("ARTIFACT_ENCRYPTION_KEY", NewKey))))
        {
            var history = "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":" + JsonValue.Create(first)!.ToJsonString() + "},{\"role\":\"user\",\"content\":\"more\"}]";
            await ArtifactReplayTests.ChatAsync(gateway, "alice", "chat-rot", history);
        }

        var input = JsonNode.Parse(mock.RequestsTo("/responses")[^1].Body)!["input"]!.AsArray();
        Assert.Contains(input, n => n!["type"]?.GetValue<string>() == "reasoning");
    }

    [Fact]
    public async Task RotateArtifactKey_WithoutPreviousKey_Exit2()
    {
        using var stderr = new StringWriter();

        var code = await RotateArtifactKeyCommand.RunAsync(new Dictionary<string, string?> { ["ARTIFACT_ENCRYPTION_KEY"] = "k" }, new StringWriter(), stderr, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("ARTIFACT_ENCRYPTION_KEY_PREVIOUS", stderr.ToString());
    }
}
