using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AotPipe.TestKit;
using AotPipe.TestKit.Mock;
using AotPipe.TestKit.Postgres;
using AotPipe.Tests.Streaming;
using Npgsql;
using Xunit;

namespace AotPipe.IntegrationTests.Replay;

/// <summary>A full turn → marker → next turn replays the exact stored item, on both stores.</summary>
public abstract partial class ArtifactReplayTests : IAsyncLifetime
{
    protected const string ArtifactKey = "artifact-key-for-tests-0123456789abcdef";

    [GeneratedRegex(@"^\[([0-9A-HJKMNP-TV-Z]{20})\]: #$", RegexOptions.Multiline)]
    private static partial Regex MarkerPattern();

    protected MockOpenRouter Mock { get; private set; } = null!;

    protected abstract Task<Dictionary<string, string?>> StoreEnvironmentAsync();

    public async ValueTask InitializeAsync() => Mock = await MockOpenRouter.StartAsync();

    public async ValueTask DisposeAsync() => await Mock.DisposeAsync();

    protected async Task<GatewayHost> StartGatewayAsync(Dictionary<string, string?>? store = null, params (string, string?)[] extra)
    {
        var env = GatewayHost.EnvironmentFor(Mock, extra);
        foreach (var (name, value) in store ?? await StoreEnvironmentAsync())
        {
            env[name] = value;
        }

        var gateway = await GatewayHost.StartAsync(env);

        // The embedded store is ready before listening; PostgreSQL initialises in the background.
        using var client = gateway.CreateClient();
        for (var i = 0; i < 200 && !(await client.GetAsync("/readyz")).IsSuccessStatusCode; i++)
        {
            await Task.Delay(25);
        }

        return gateway;
    }

    internal static async Task<string> ChatAsync(GatewayHost gateway, string user, string? chat, string messagesJson, string model = "mock/stream-reasoning-summary")
    {
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":true,"reasoning_effort":"medium","messages":{{messagesJson}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-OpenWebUI-User-Id", user);
        request.Headers.Add("X-OpenWebUI-Message-Id", "msg-" + Guid.NewGuid().ToString("N")[..8]);
        if (chat is not null)
        {
            request.Headers.Add("X-OpenWebUI-Chat-Id", chat);
        }

        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    protected static string ContentOf(string sse) => Chat.ChatCompletionsTests_Helpers.Content(sse);

    private static string AssistantHistory(string content) =>
        "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":" + JsonValue.Create(content)!.ToJsonString() + "},{\"role\":\"user\",\"content\":\"and then?\"}]";

    private JsonArray LastUpstreamInput() => JsonNode.Parse(Mock.RequestsTo("/responses")[^1].Body)!["input"]!.AsArray();

    [Fact]
    public async Task FullTurn_MarkerThenReplay_UpstreamSeesTheExactStoredItem()
    {
        await using var gateway = await StartGatewayAsync();
        var chat = "chat-" + Guid.NewGuid().ToString("N");

        var first = ContentOf(await ChatAsync(gateway, "alice", chat, "[{\"role\":\"user\",\"content\":\"hi\"}]"));
        var marker = Assert.Single(MarkerPattern().Matches(first));
        Assert.Contains("\n\n[" + marker.Groups[1].Value + "]: #", first);

        await ChatAsync(gateway, "alice", chat, AssistantHistory(first));
        var input = LastUpstreamInput();

        // The stored reasoning item comes back byte for byte (encrypted_content included), before the assistant text.
        var expected = JsonNode.Parse(Fixtures.Bytes("responses/expected.json"))!["fixtures"]!["stream-reasoning-summary.sse"]!["persist"]!;
        var reasoningIndex = input.Select((n, i) => (n, i)).Single(x => x.n!["type"]?.GetValue<string>() == "reasoning").i;
        var assistantIndex = input.Select((n, i) => (n, i)).First(x => x.n!["role"]?.GetValue<string>() == "assistant").i;
        Assert.True(reasoningIndex < assistantIndex);
        var replayed = input[reasoningIndex]!;
        var encrypted = replayed["encrypted_content"]!.GetValue<string>();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(encrypted)));
        Assert.Contains(hash, expected.ToJsonString());

        // Markers are never shown to the model as text.
        Assert.DoesNotContain("]: #", input.ToJsonString());
    }

    [Fact]
    public async Task AnotherUsersCopiedMarker_ResolvesToNothing()
    {
        await using var gateway = await StartGatewayAsync();
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = ContentOf(await ChatAsync(gateway, "alice", chat, "[{\"role\":\"user\",\"content\":\"hi\"}]"));

        var sse = await ChatAsync(gateway, "mallory", chat, AssistantHistory(first));

        Assert.DoesNotContain(LastUpstreamInput(), n => n!["type"]?.GetValue<string>() == "reasoning");
        Assert.EndsWith("data: [DONE]\n\n", sse);
    }

    [Fact]
    public async Task WithoutChatId_NothingPersistedAndNoMarker()
    {
        await using var gateway = await StartGatewayAsync();

        var content = ContentOf(await ChatAsync(gateway, "alice", chat: null, "[{\"role\":\"user\",\"content\":\"hi\"}]"));

        Assert.Empty(MarkerPattern().Matches(content));
    }

    [Fact]
    public async Task ToolCallTurn_NoMarker_ReasoningReplayedBeforeTheFunctionCall()
    {
        await using var gateway = await StartGatewayAsync();
        var chat = "chat-" + Guid.NewGuid().ToString("N");
        var first = await ChatAsync(gateway, "alice", chat, "[{\"role\":\"user\",\"content\":\"weather in Lisbon?\"}]", "mock/stream-function-call");
        Assert.Empty(MarkerPattern().Matches(ContentOf(first) ?? string.Empty));

        var history = """
            [{"role":"user","content":"weather in Lisbon?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_NYkRc1Y2tfWLGknsunvCAJdr","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Lisbon, Portugal\",\"unit\":\"celsius\"}"}}]},
             {"role":"tool","tool_call_id":"call_NYkRc1Y2tfWLGknsunvCAJdr","content":"{\"temp\":21}"}]
            """;
        await ChatAsync(gateway, "alice", chat, history.ReplaceLineEndings(string.Empty));
        var input = LastUpstreamInput();

        var reasoning = input.Select((n, i) => (n, i)).Single(x => x.n!["type"]?.GetValue<string>() == "reasoning").i;
        var call = input.Select((n, i) => (n, i)).Single(x => x.n!["type"]?.GetValue<string>() == "function_call").i;
        Assert.True(reasoning < call);
    }
}

/// <summary>The embedded default store (no DATABASE_URL).</summary>
public sealed class EmbeddedArtifactReplayTests : ArtifactReplayTests
{
    protected override Task<Dictionary<string, string?>> StoreEnvironmentAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["ARTIFACT_ENCRYPTION_KEY"] = ArtifactKey });

    [Fact]
    public async Task EncryptedRows_ContainNoPlaintext()
    {
        var dataDir = Directory.CreateTempSubdirectory("aotpipe-artifacts-").FullName;
        var store = new Dictionary<string, string?> { ["ARTIFACT_ENCRYPTION_KEY"] = ArtifactKey, ["AOTPIPE_DATA_DIR"] = dataDir };
        await using (var gateway = await StartGatewayAsync(store))
        {
            var first = ContentOf(await ChatAsync(gateway, "alice", "chat-plain", "[{\"role\":\"user\",\"content\":\"hi\"}]"));
            Assert.Contains("]: #", first);
        }

        var summary = JsonNode.Parse(Fixtures.Bytes("responses/expected.json"))!["fixtures"]!["stream-reasoning-summary.sse"]!["client"]!["reasoning"]!.GetValue<string>();
        var phrase = summary.Split(' ').Skip(2).Take(4).Aggregate((a, b) => a + " " + b);
        var bytes = string.Concat(Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        Assert.True(bytes.Length > 0);
        Assert.DoesNotContain(phrase, bytes);
    }
}

/// <summary>PostgreSQL through binary COPY, and two gateway processes sharing it.</summary>
[Collection("postgres")]
public sealed class PostgresArtifactReplayTests(PostgresFixture fixture) : ArtifactReplayTests
{
    protected override async Task<Dictionary<string, string?>> StoreEnvironmentAsync() => new()
    {
        ["DATABASE_URL"] = await fixture.Cluster.CreateDatabaseAsync(),
        ["ARTIFACT_ENCRYPTION_KEY"] = ArtifactKey,
        ["PIPE_ID"] = PostgresCluster.UniquePipeId(),
    };

    [Fact]
    public async Task TwoInstances_WriteThroughOne_ReplayThroughTheOther()
    {
        var store = await StoreEnvironmentAsync();
        await using var first = await StartGatewayAsync(store);
        await using var second = await StartGatewayAsync(store);
        var chat = "chat-" + Guid.NewGuid().ToString("N");

        var content = ContentOf(await ChatAsync(first, "alice", chat, "[{\"role\":\"user\",\"content\":\"hi\"}]"));
        await ChatAsync(second, "alice", chat, "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":" + JsonValue.Create(content)!.ToJsonString() + "},{\"role\":\"user\",\"content\":\"more\"}]");

        var input = JsonNode.Parse(Mock.RequestsTo("/responses")[^1].Body)!["input"]!.AsArray();
        Assert.Contains(input, n => n!["type"]?.GetValue<string>() == "reasoning");
    }

    [Fact]
    public async Task EncryptedRows_ContainNoPlaintext()
    {
        var store = await StoreEnvironmentAsync();
        await using (var gateway = await StartGatewayAsync(store))
        {
            Assert.Contains("]: #", ContentOf(await ChatAsync(gateway, "alice", "chat-plain", "[{\"role\":\"user\",\"content\":\"hi\"}]")));
        }

        await using var connection = new NpgsqlConnection(store["DATABASE_URL"]);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'response_items_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var all = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT payload::text FROM \"{table}\"", connection);
            await using var rows = await select.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                all.Append(rows.GetString(0));
            }
        }

        Assert.True(all.Length > 0);
        Assert.Contains("\"enc_v\":2", all.ToString().Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("summary_text", all.ToString());
    }
}
