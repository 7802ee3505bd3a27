using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AotPipe.Upstream;
using Xunit;

namespace AotPipe.Tests.Upstream;

public sealed class UpstreamIdentifiersTests
{
    [Fact]
    public void CacheSessionId_MatchesIndependentHmacSha256()
    {
        const string ChatId = "6f1c2a9e-3b7d-4e21-9a55-0c8d4e7f1b23";
        const string Secret = "webui-secret-ключ";

        var expected = HmacByHand(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(ChatId));

        Assert.Equal(expected, UpstreamIdentifiers.ComputeCacheSessionId(ChatId, Secret));
        Assert.Matches("^[0-9a-f]{64}$", expected);
    }

    [Fact]
    public void CacheSessionId_KnownVector()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        Assert.Equal(
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            UpstreamIdentifiers.ComputeCacheSessionId("what do ya want for nothing?", "Jefe"));
    }

    [Theory]
    [InlineData(null, "k")]
    [InlineData("", "k")]
    [InlineData("chat", null)]
    [InlineData("chat", "")]
    public void CacheSessionId_WithoutChatOrSecret_IsOmitted(string? chatId, string? secret)
    {
        Assert.Null(UpstreamIdentifiers.ComputeCacheSessionId(chatId, secret));
        var request = new JsonObject();
        UpstreamIdentifiers.Apply(request, Identity() with { ChatId = chatId }, IdentifierOptions.Default with { WebUiSecretKey = secret });
        Assert.False(request.ContainsKey("session_id"));
    }

    [Fact]
    public void Apply_Defaults_DropClientIdentifiersAndSendNoneWithoutSecret()
    {
        var request = new JsonObject { ["user"] = "u", ["session_id"] = "s", ["metadata"] = new JsonObject { ["a"] = "b" }, ["model"] = "m" };
        UpstreamIdentifiers.Apply(request, Identity(), IdentifierOptions.Default);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"model":"m"}"""), request));
    }

    [Fact]
    public void Apply_AllSettingsOn_FillsUserSessionAndMetadata()
    {
        var request = new JsonObject();
        var options = new IdentifierOptions(true, EndUserIdSource.Email, true, true, true, true, "secret");
        UpstreamIdentifiers.Apply(request, Identity(), options);

        Assert.Equal("ada@example.org", (string?)request["user"]);
        Assert.Equal(UpstreamIdentifiers.ComputeCacheSessionId("chat-1", "secret"), (string?)request["session_id"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"user_id":"user-1","session_id":"sess-1","chat_id":"chat-1","message_id":"msg-1"}"""),
            request["metadata"]));
    }

    [Theory]
    [InlineData("Id", "user-1")]
    [InlineData("Email", "ada@example.org")]
    [InlineData("Name", "Ada Lovelace")]
    public void SelectEndUserId_UsesTheConfiguredSource(string source, string expected) =>
        Assert.Equal(expected, UpstreamIdentifiers.SelectEndUserId(Identity(), Enum.Parse<EndUserIdSource>(source)));

    [Fact]
    public void SelectEndUserId_AtLimit_KeepsValue_PastLimit_FallsBackToId()
    {
        var atLimit = new string('e', UpstreamIdentifiers.MaxUserLength);
        var pastLimit = new string('e', UpstreamIdentifiers.MaxUserLength + 1);

        Assert.Equal(atLimit, UpstreamIdentifiers.SelectEndUserId(Identity() with { UserEmail = atLimit }, EndUserIdSource.Email));
        Assert.Equal("user-1", UpstreamIdentifiers.SelectEndUserId(Identity() with { UserEmail = pastLimit }, EndUserIdSource.Email));
        Assert.Equal("user-1", UpstreamIdentifiers.SelectEndUserId(Identity() with { UserName = null }, EndUserIdSource.Name));
        Assert.Null(UpstreamIdentifiers.SelectEndUserId(Identity() with { UserId = pastLimit }, EndUserIdSource.Id));
    }

    [Fact]
    public void Metadata_PairLimit_SixteenthFits_SeventeenthDoesNot()
    {
        var metadata = new JsonObject();
        for (var i = 0; i < UpstreamIdentifiers.MaxMetadataPairs; i++)
        {
            Assert.True(UpstreamIdentifiers.TryAddMetadata(metadata, "k" + i, "v"));
        }

        Assert.False(UpstreamIdentifiers.TryAddMetadata(metadata, "extra", "v"));
        Assert.Equal(UpstreamIdentifiers.MaxMetadataPairs, metadata.Count);
    }

    [Fact]
    public void Metadata_KeyLimit_AtLimitFits_PastLimitDoesNot()
    {
        var metadata = new JsonObject();
        Assert.True(UpstreamIdentifiers.TryAddMetadata(metadata, new string('k', UpstreamIdentifiers.MaxMetadataKeyLength), "v"));
        Assert.False(UpstreamIdentifiers.TryAddMetadata(metadata, new string('k', UpstreamIdentifiers.MaxMetadataKeyLength + 1), "v"));
        Assert.Single(metadata);
    }

    [Fact]
    public void Metadata_ValueLimit_AtLimitFits_PastLimitIsLeftOut()
    {
        var metadata = new JsonObject();
        Assert.True(UpstreamIdentifiers.TryAddMetadata(metadata, "a", new string('v', UpstreamIdentifiers.MaxMetadataValueLength)));
        Assert.False(UpstreamIdentifiers.TryAddMetadata(metadata, "b", new string('v', UpstreamIdentifiers.MaxMetadataValueLength + 1)));
        Assert.False(UpstreamIdentifiers.TryAddMetadata(metadata, "c", null));

        var request = new JsonObject();
        var longChat = new string('c', UpstreamIdentifiers.MaxMetadataValueLength + 1);
        UpstreamIdentifiers.Apply(request, Identity() with { ChatId = longChat }, IdentifierOptions.Default with { SendChatId = true, SendCacheSessionId = false });
        Assert.False(request.ContainsKey("metadata"));
    }

    [Fact]
    public void ReadBodyIdentity_ReadsChatIdAndUser()
    {
        var body = JsonNode.Parse("""{"user":"u-9","metadata":{"chat_id":"c-9"}}""")!.AsObject();
        Assert.Equal("c-9", UpstreamIdentifiers.ReadBodyChatId(body));
        Assert.Equal("u-9", UpstreamIdentifiers.ReadBodyUser(body));
        Assert.Null(UpstreamIdentifiers.ReadBodyChatId(new JsonObject { ["metadata"] = "x" }));
    }

    [Fact]
    public void ResponsesRewriter_ChangesOnlyIdentifiers()
    {
        var body = JsonNode.Parse("""{"model":"m","input":"hi","user":"x","session_id":"y","metadata":{"z":"1"},"store":true}""")!.AsObject();
        ResponsesRequestRewriter.Rewrite(body, Identity(), IdentifierOptions.Default with { SendMessageId = true, WebUiSecretKey = "s" });

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""{"model":"m","input":"hi","store":true,"session_id":"{{{UpstreamIdentifiers.ComputeCacheSessionId("chat-1", "s")}}}","metadata":{"message_id":"msg-1"}}"""),
            body));
    }

    [Theory]
    [InlineData("id", "Id", true)]
    [InlineData("EMAIL", "Email", true)]
    [InlineData(" name ", "Name", true)]
    [InlineData(null, "Id", true)]
    [InlineData("phone", "Id", false)]
    public void ParseEndUserIdSource_AcceptsDocumentedValues(string? value, string expected, bool ok)
    {
        Assert.Equal(ok, IdentifierOptions.TryParseEndUserIdSource(value, out var source));
        Assert.Equal(Enum.Parse<EndUserIdSource>(expected), source);
    }

    [Fact]
    public void Scope_IsTenantSlashUser() => Assert.Equal("default/user-1", Identity().Scope);

    private static CallerIdentity Identity() =>
        new("default", "user-1", "ada@example.org", "Ada Lovelace", "user", "chat-1", "msg-1", "sess-1", "req-1");

    private static string HmacByHand(byte[] key, byte[] message)
    {
        const int BlockSize = 64;
        if (key.Length > BlockSize)
        {
            key = SHA256.HashData(key);
        }

        var padded = new byte[BlockSize];
        key.CopyTo(padded, 0);
        var inner = padded.Select(b => (byte)(b ^ 0x36)).Concat(message).ToArray();
        var outer = padded.Select(b => (byte)(b ^ 0x5c)).Concat(SHA256.HashData(inner)).ToArray();
        return Convert.ToHexStringLower(SHA256.HashData(outer));
    }
}
