using System.Net;
using System.Text.Json.Nodes;
using AotPipe.Ingestion;
using AotPipe.Security.Egress;
using AotPipe.Tests.Security.Egress;
using Xunit;

namespace AotPipe.Tests.Ingestion;

public sealed class AttachmentIngestorTests
{
    private static readonly byte[] s_png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7, 7, 7];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (AttachmentIngestor Ingestor, FakeHttpHandler Handler, ListLogger Logger) Create(IngestionOptions? options = null)
    {
        var time = new TimerSignalingTimeProvider();
        var handler = new FakeHttpHandler(time, (request, _) => request.RequestUri!.AbsolutePath.EndsWith(".txt", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("plain") }
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(s_png) });
        var guard = new EgressGuard(new EgressPolicy(new EgressOptions()), FakeHostResolver.CreateDefault(), time);
        options ??= new IngestionOptions();
        var downloader = new RemoteDownloader(guard, new HttpMessageInvoker(handler), options, time);
        var logger = new ListLogger();
        return (new AttachmentIngestor(guard, downloader, options, logger), handler, logger);
    }

    private static JsonObject Request(params string[] messages) =>
        JsonNode.Parse("{\"model\":\"m\",\"input\":[" + string.Join(",", messages) + "]}")!.AsObject();

    private static string User(params string[] parts) => "{\"type\":\"message\",\"role\":\"user\",\"content\":[" + string.Join(",", parts) + "]}";

    private static string Image(string url) => "{\"type\":\"input_image\",\"image_url\":\"" + url + "\",\"detail\":\"auto\"}";

    private static string Text(string text) => "{\"type\":\"input_text\",\"text\":\"" + text + "\"}";

    private static JsonArray ContentOf(JsonObject request, int index) => request["input"]![index]!["content"]!.AsArray();

    private static string DataUrlOfSize(int bytes) => "data:image/png;base64," + Convert.ToBase64String(new byte[bytes]);

    [Fact]
    public async Task RemoteImage_BecomesDataUrl()
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request(User(Text("look"), Image("https://public.example/cat.png")));
        IngestionResult result = await ingestor.ProcessAsync(request, "u1", Ct);
        Assert.False(result.HasNotices);
        JsonArray content = ContentOf(request, 0);
        Assert.Equal(2, content.Count);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(s_png), (string?)content[1]!["image_url"]);
        Assert.Equal("auto", (string?)content[1]!["detail"]);
    }

    [Fact]
    public async Task RemoteImageInUrlObject_IsInlinedInPlace()
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request(User("{\"type\":\"input_image\",\"image_url\":{\"url\":\"https://public.example/cat.png\"}}"));
        await ingestor.ProcessAsync(request, "u1", Ct);
        Assert.StartsWith("data:image/png;base64,", (string?)ContentOf(request, 0)[0]!["image_url"]!["url"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateAddressImage_IsDroppedWithNoteNoticeAndLogLine()
    {
        (AttachmentIngestor ingestor, FakeHttpHandler handler, ListLogger logger) = Create();
        JsonObject request = Request(User(Text("look"), Image("https://private.example/secret.png?token=abc")));
        IngestionResult result = await ingestor.ProcessAsync(request, "user-7", Ct);
        Assert.Equal("image from private.example: private-address", Assert.Single(result.Notices));
        JsonArray content = ContentOf(request, 0);
        Assert.Equal(2, content.Count);
        Assert.Equal("input_text", (string?)content[1]!["type"]);
        Assert.Contains("private-address", (string?)content[1]!["text"], StringComparison.Ordinal);
        Assert.DoesNotContain(request.ToJsonString(), "private.example/secret", StringComparison.Ordinal);
        Assert.Equal(0, handler.CallCount);
        string line = Assert.Single(logger.Lines);
        Assert.Contains("private.example", line, StringComparison.Ordinal);
        Assert.Contains("user-7", line, StringComparison.Ordinal);
        Assert.DoesNotContain("token", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadedNonImage_ForImagePart_IsDropped()
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request(User(Image("https://public.example/a.txt")));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal("image from public.example: unsupported-type", Assert.Single(result.Notices));
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public async Task DataUrl_AtBase64LimitPasses_OnePastIsDropped(int bytes, bool passes)
    {
        (AttachmentIngestor ingestor, _, _) = Create(new IngestionOptions { Base64MaxBytes = 30 });
        string dataUrl = DataUrlOfSize(bytes);
        JsonObject request = Request(User(Image(dataUrl)));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal(!passes, result.HasNotices);
        if (passes)
        {
            Assert.Equal(dataUrl, (string?)ContentOf(request, 0)[0]!["image_url"]);
        }
        else
        {
            Assert.Equal("image: too-large", Assert.Single(result.Notices));
        }
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public async Task DataUrlBuiltInMemory_UsesTheStringPath(int bytes, bool passes)
    {
        (AttachmentIngestor ingestor, _, _) = Create(new IngestionOptions { Base64MaxBytes = 30 });
        var part = new JsonObject { ["type"] = "input_image", ["image_url"] = DataUrlOfSize(bytes) };
        var request = new JsonObject
        {
            ["input"] = new JsonArray((JsonNode)new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = new JsonArray((JsonNode)part) }),
        };
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal(!passes, result.HasNotices);
    }

    [Fact]
    public async Task DataVideo_UsesVideoLimit()
    {
        (AttachmentIngestor ingestor, _, _) = Create(new IngestionOptions { Base64MaxBytes = 10, VideoMaxBytes = 30 });
        string ok = "data:video/mp4;base64," + Convert.ToBase64String(new byte[30]);
        string big = "data:video/mp4;base64," + Convert.ToBase64String(new byte[31]);
        JsonObject request = Request(User(
            "{\"type\":\"input_video\",\"video_url\":\"" + ok + "\"}",
            "{\"type\":\"input_video\",\"video_url\":\"" + big + "\"}"));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal("video: too-large", Assert.Single(result.Notices));
        Assert.Equal(ok, (string?)ContentOf(request, 0)[0]!["video_url"]);
    }

    [Fact]
    public async Task RemoteVideo_IsPassedOnAfterPolicyCheck_WithoutDownload()
    {
        (AttachmentIngestor ingestor, FakeHttpHandler handler, _) = Create();
        JsonObject request = Request(User(
            "{\"type\":\"input_video\",\"video_url\":\"https://public.example/v.mp4\"}",
            "{\"type\":\"input_video\",\"video_url\":{\"url\":\"https://169.254.169.254/v.mp4\"}}"));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal("video from 169.254.169.254: private-address", Assert.Single(result.Notices));
        Assert.Equal("https://public.example/v.mp4", (string?)ContentOf(request, 0)[0]!["video_url"]);
        Assert.Equal(0, handler.CallCount);
    }

    [Fact]
    public async Task ImageCap_CountsForwardedImages()
    {
        (AttachmentIngestor ingestor, FakeHttpHandler handler, _) = Create(new IngestionOptions { MaxInputImages = 3 });
        JsonObject request = Request(User(
            Image(DataUrlOfSize(3)),
            Image(DataUrlOfSize(301)),
            Image("https://public.example/1.png"),
            Image("https://public.example/2.png")));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal(["image from public.example: too-many-images"], result.Notices);
        Assert.Equal(1, handler.CallCount);
        Assert.Equal(4, ContentOf(request, 0).Count); // two data images, one inlined download, one note
    }

    [Fact]
    public async Task EarlierTurn_RemotePartsDroppedSilently_DataPartsKept()
    {
        (AttachmentIngestor ingestor, FakeHttpHandler handler, ListLogger logger) = Create();
        string data = DataUrlOfSize(3);
        JsonObject request = Request(
            User(Text("first"), Image("https://public.example/old.png"), Image(data), "{\"type\":\"input_file\",\"file_url\":\"https://public.example/a.pdf\"}"),
            "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"ok\"}]}",
            User(Text("second")));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.False(result.HasNotices);
        Assert.Empty(logger.Lines);
        Assert.Equal(0, handler.CallCount);
        JsonArray first = ContentOf(request, 0);
        Assert.Equal(2, first.Count);
        Assert.Equal(data, (string?)first[1]!["image_url"]);
    }

    [Fact]
    public async Task RemoteFile_BecomesFileDataWithName()
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request(User("{\"type\":\"input_file\",\"file_url\":\"https://public.example/docs/report.pdf\"}"));
        await ingestor.ProcessAsync(request, "u", Ct);
        JsonNode part = ContentOf(request, 0)[0]!;
        Assert.Null(part["file_url"]);
        Assert.Equal("report.pdf", (string?)part["filename"]);
        Assert.StartsWith("data:image/png;base64,", (string?)part["file_data"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://public.example/a.mp3", "audio from public.example: audio-not-base64")]
    [InlineData("not base64!", "audio: invalid-base64")]
    public async Task Audio_MustBeBase64(string data, string notice)
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request(User("{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"" + data + "\",\"format\":\"mp3\"}}"));
        IngestionResult result = await ingestor.ProcessAsync(request, "u", Ct);
        Assert.Equal(notice, Assert.Single(result.Notices));
    }

    [Fact]
    public async Task Base64Audio_IsKept()
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request(User("{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"" + Convert.ToBase64String(new byte[9]) + "\",\"format\":\"mp3\"}}"));
        Assert.False((await ingestor.ProcessAsync(request, "u", Ct)).HasNotices);
        Assert.Single(ContentOf(request, 0));
    }

    [Fact]
    public async Task StringContentAndNoInput_AreUntouched()
    {
        (AttachmentIngestor ingestor, _, _) = Create();
        JsonObject request = Request("{\"role\":\"user\",\"content\":\"hi\"}");
        string before = request.ToJsonString();
        Assert.False((await ingestor.ProcessAsync(request, "u", Ct)).HasNotices);
        Assert.Equal(before, request.ToJsonString());
        Assert.False((await ingestor.ProcessAsync(new JsonObject { ["input"] = "text" }, "u", Ct)).HasNotices);
    }
}
