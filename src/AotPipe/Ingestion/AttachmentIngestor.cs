using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Diagnostics;
using AotPipe.Security.Egress;
using Microsoft.Extensions.Logging;

namespace AotPipe.Ingestion;

/// <summary>
/// Applies the ingestion rules of DESIGN.md §6 to an upstream Responses request: remote images and files of the last user
/// message are downloaded and inlined, <c>data:</c> parts are size-checked without decoding, remote video is passed on after
/// the URL policy, and every rejected part is dropped with a note for the model and a notice for the client.
/// </summary>
internal sealed class AttachmentIngestor
{
    private const string InlineHost = "inline";

    private readonly EgressGuard _guard;
    private readonly RemoteDownloader _downloader;
    private readonly IngestionOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the ingestor.</summary>
    public AttachmentIngestor(EgressGuard guard, RemoteDownloader downloader, IngestionOptions options, ILogger logger)
    {
        _guard = guard;
        _downloader = downloader;
        _options = options;
        _logger = logger;
    }

    private enum PartKind
    {
        Image,
        File,
        Audio,
        Video,
    }

    /// <summary>
    /// Rewrites <paramref name="request"/> in place and returns the client notices. <paramref name="userForLog"/> only
    /// appears in log lines. Only cancellation throws.
    /// </summary>
    /// <remarks>
    /// Step map: 1 find the last user message; 2 judge every part (inline checks now, remote work queued); 3 run the
    /// queued downloads and video URL checks concurrently, bounded; 4 write results back, drop rejected parts, add notes.
    /// </remarks>
    public async Task<IngestionResult> ProcessAsync(JsonObject request, string userForLog, CancellationToken cancellationToken)
    {
        if (request["input"] is not JsonArray input)
        {
            return IngestionResult.Empty;
        }

        // :: Step 1
        int lastUser = -1;
        for (int i = input.Count - 1; i >= 0; i--)
        {
            if (input[i] is JsonObject item && IsMessage(item) && ReadShortString(item["role"]) == "user")
            {
                lastUser = i;
                break;
            }
        }

        // :: Step 2
        var removals = new List<Removal>();
        var pending = new List<Pending>();
        int images = 0;
        for (int i = 0; i < input.Count; i++)
        {
            if (input[i] is not JsonObject message || !IsMessage(message) || message["content"] is not JsonArray content)
            {
                continue;
            }

            bool isLast = i == lastUser;
            foreach (JsonNode? node in content)
            {
                if (node is JsonObject part)
                {
                    JudgePart(message, content, part, isLast, ref images, removals, pending);
                }
            }
        }

        if (removals.Count == 0 && pending.Count == 0)
        {
            return IngestionResult.Empty;
        }

        // :: Step 3
        var outcomes = new PendingOutcome[pending.Count];
        if (pending.Count > 0)
        {
            using var gate = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentDownloads));
            var tasks = new Task[pending.Count];
            for (int i = 0; i < pending.Count; i++)
            {
                tasks[i] = RunPendingAsync(pending[i], i, outcomes, gate, cancellationToken);
            }

            await Task.WhenAll(tasks);
        }

        // :: Step 4
        for (int i = 0; i < pending.Count; i++)
        {
            Pending work = pending[i];
            PendingOutcome outcome = outcomes[i];
            if (outcome.Reason is { } reason)
            {
                removals.Add(new Removal(work.Message, work.Content, work.Part, Label(work.Kind), work.Host, reason, IsSilent: false));
                continue;
            }

            if (outcome.DataUrl is { } dataUrl)
            {
                Inline(work, dataUrl);
                EgressLog.AttachmentInlined(_logger, work.Host, outcome.MediaType!, outcome.Length, userForLog);
            }
        }

        return Apply(removals, userForLog);
    }

    private void JudgePart(JsonObject message, JsonArray content, JsonObject part, bool isLast, ref int images, List<Removal> removals, List<Pending> pending)
    {
        switch (ReadShortString(part["type"]))
        {
            case "input_image":
                {
                    JsonNode? holder = part["image_url"];
                    JsonNode? url = holder is JsonObject nested ? nested["url"] : holder;
                    JudgeUrlPart(PartKind.Image, message, content, part, url, isLast, ref images, removals, pending);
                    break;
                }

            case "input_file":
                {
                    if (part["file_data"] is { } fileData)
                    {
                        string? reason = CheckInline(fileData, _options.Base64MaxBytes, requireImage: false, allowRawBase64: true);
                        if (reason is not null)
                        {
                            removals.Add(new Removal(message, content, part, Label(PartKind.File), InlineHost, reason, IsSilent: false));
                        }
                    }
                    else if (part["file_url"] is { } fileUrl)
                    {
                        JudgeUrlPart(PartKind.File, message, content, part, fileUrl, isLast, ref images, removals, pending);
                    }

                    break;
                }

            case "input_audio":
                {
                    JsonNode? data = part["input_audio"] is JsonObject audio ? audio["data"] : null;
                    if (data is null)
                    {
                        break;
                    }

                    if (ReadShortString(data) is { } shortText && shortText.Contains("://", StringComparison.Ordinal))
                    {
                        // A URL where base64 belongs is remote content; earlier turns lose it silently like any remote part.
                        removals.Add(new Removal(message, content, part, Label(PartKind.Audio), HostOf(shortText), IngestionReasons.AudioNotBase64, IsSilent: !isLast));
                        break;
                    }

                    string? reason = CheckInline(data, _options.Base64MaxBytes, requireImage: false, allowRawBase64: true);
                    if (reason is not null)
                    {
                        removals.Add(new Removal(message, content, part, Label(PartKind.Audio), InlineHost, reason, IsSilent: false));
                    }

                    break;
                }

            case "input_video":
                {
                    JsonNode? holder = part["video_url"] ?? part["url"];
                    JsonNode? url = holder is JsonObject nested ? nested["url"] : holder;
                    JudgeUrlPart(PartKind.Video, message, content, part, url, isLast, ref images, removals, pending);
                    break;
                }

            default:
                break;
        }
    }

    private void JudgeUrlPart(PartKind kind, JsonObject message, JsonArray content, JsonObject part, JsonNode? url, bool isLast, ref int images, List<Removal> removals, List<Pending> pending)
    {
        if (url is null)
        {
            return;
        }

        string label = Label(kind);
        if (IsDataUrlNode(url, out string? remote))
        {
            long max = kind == PartKind.Video ? _options.VideoMaxBytes : _options.Base64MaxBytes;
            string? reason = CheckInline(url, max, requireImage: kind == PartKind.Image, allowRawBase64: false);
            if (reason is null && kind == PartKind.Image && images >= _options.MaxInputImages)
            {
                reason = IngestionReasons.TooManyImages;
            }

            if (reason is not null)
            {
                removals.Add(new Removal(message, content, part, label, InlineHost, reason, IsSilent: false));
            }
            else if (kind == PartKind.Image)
            {
                images++;
            }

            return;
        }

        if (remote is null)
        {
            return;
        }

        string host = HostOf(remote);
        if (!isLast)
        {
            // DESIGN.md §6: earlier turns' remote parts are dropped silently (they were handled when they were the last turn).
            removals.Add(new Removal(message, content, part, label, host, "earlier-turn", IsSilent: true));
            return;
        }

        if (kind == PartKind.Image)
        {
            if (images >= _options.MaxInputImages)
            {
                removals.Add(new Removal(message, content, part, label, host, IngestionReasons.TooManyImages, IsSilent: false));
                return;
            }

            // The slot is taken before the download; a failed download does not hand it to a later image.
            images++;
        }

        JsonObject? holder = kind switch
        {
            PartKind.Image => part["image_url"] as JsonObject,
            PartKind.Video => (part["video_url"] ?? part["url"]) as JsonObject,
            _ => null,
        };
        pending.Add(new Pending(message, content, part, kind, remote, host, holder));
    }

    private async Task RunPendingAsync(Pending work, int index, PendingOutcome[] outcomes, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (work.Kind == PartKind.Video)
            {
                // Remote video is passed on, never fetched; the URL policy still decides whether it may leave.
                EgressDecision decision = await _guard.CheckAsync(work.Url, cancellationToken);
                outcomes[index] = new PendingOutcome(decision.IsAllowed ? null : decision.Reason, null, null, 0);
                return;
            }

            DownloadResult result = await _downloader.DownloadAsync(work.Url, null, cancellationToken);
            if (!result.IsSuccess)
            {
                outcomes[index] = new PendingOutcome(result.Reason, null, null, 0);
            }
            else if (work.Kind == PartKind.Image && !result.MediaType!.StartsWith("image/", StringComparison.Ordinal))
            {
                outcomes[index] = new PendingOutcome(IngestionReasons.UnsupportedType, null, null, 0);
            }
            else
            {
                outcomes[index] = new PendingOutcome(null, result.DataUrl, result.MediaType, result.Length);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private static void Inline(Pending work, string dataUrl)
    {
        switch (work.Kind)
        {
            case PartKind.Image when work.UrlHolder is { } holder:
                holder["url"] = dataUrl;
                break;
            case PartKind.Image:
                work.Part["image_url"] = dataUrl;
                break;
            case PartKind.File:
                work.Part.Remove("file_url");
                work.Part["file_data"] = dataUrl;
                if (work.Part["filename"] is null)
                {
                    work.Part["filename"] = FileNameOf(work.Url);
                }

                break;
            default:
                break;
        }
    }

    private IngestionResult Apply(List<Removal> removals, string userForLog)
    {
        var notices = new List<string>();
        var perMessage = new Dictionary<JsonObject, List<string>>(ReferenceEqualityComparer.Instance);
        foreach (Removal removal in removals)
        {
            removal.Content.Remove(removal.Part);
            if (removal.IsSilent)
            {
                continue;
            }

            string notice = removal.Host == InlineHost
                ? removal.Label + ": " + removal.Reason
                : removal.Label + " from " + removal.Host + ": " + removal.Reason;
            notices.Add(notice);
            EgressLog.AttachmentRemoved(_logger, removal.Host, removal.Reason, userForLog);
            GatewayMetrics.RecordEgressBlock(removal.Reason);
            if (!perMessage.TryGetValue(removal.Message, out List<string>? list))
            {
                list = [];
                perMessage.Add(removal.Message, list);
            }

            list.Add(notice);
        }

        foreach ((JsonObject message, List<string> list) in perMessage)
        {
            if (message["content"] is JsonArray content)
            {
                string text = list.Count == 1
                    ? "[The gateway removed 1 attachment from this message (" + list[0] + ").]"
                    : "[The gateway removed " + list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " attachments from this message (" + string.Join("; ", list) + ").]";
                content.Add((JsonNode)new JsonObject { ["type"] = "input_text", ["text"] = text });
            }
        }

        return notices.Count == 0 ? IngestionResult.Empty : new IngestionResult(notices);
    }

    /// <summary>Size and shape check of an inline value; returns the removal reason or null when it may pass.</summary>
    private static string? CheckInline(JsonNode node, long maxBytes, bool requireImage, bool allowRawBase64)
    {
        if (!TryGetText(node, out ReadOnlySpan<byte> utf8, out string? text))
        {
            return IngestionReasons.InvalidDataUrl;
        }

        bool isData = text is null ? utf8.Length >= 5 && System.Text.Ascii.EqualsIgnoreCase(utf8[..5], "data:"u8) : DataUrl.IsDataUrl(text);
        long decoded;
        if (isData)
        {
            bool parsed;
            string mediaType;
            bool isBase64;
            int payloadStart;
            parsed = text is null
                ? DataUrl.TryParse(utf8, out mediaType, out isBase64, out payloadStart)
                : DataUrl.TryParse(text, out mediaType, out isBase64, out payloadStart);
            if (!parsed)
            {
                return IngestionReasons.InvalidDataUrl;
            }

            if (requireImage && !mediaType.StartsWith("image/", StringComparison.Ordinal))
            {
                return IngestionReasons.UnsupportedType;
            }

            decoded = text is null
                ? (isBase64 ? DataUrl.EstimateDecodedLength(utf8[payloadStart..]) : utf8.Length - payloadStart)
                : DataUrl.EstimateDecodedLength(text, isBase64, payloadStart);
        }
        else if (allowRawBase64)
        {
            decoded = text is null ? DataUrl.EstimateDecodedLength(utf8) : DataUrl.EstimateDecodedLength(text);
        }
        else
        {
            return IngestionReasons.InvalidDataUrl;
        }

        return decoded < 0 ? IngestionReasons.InvalidBase64 : decoded > maxBytes ? IngestionReasons.TooLarge : null;
    }

    /// <summary>
    /// Reads a JSON string without copying it when possible: a value parsed from bytes yields its raw UTF-8 (when it has no
    /// escapes), anything else the string itself. Returns false for non-strings.
    /// </summary>
    private static bool TryGetText(JsonNode? node, out ReadOnlySpan<byte> utf8, out string? text)
    {
        utf8 = default;
        text = null;
        if (node is not JsonValue value)
        {
            return false;
        }

        if (value.TryGetValue(out JsonElement element))
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element);
            if (raw.Length >= 2 && raw[0] == (byte)'"')
            {
                raw = raw[1..^1];
            }

            if (raw.Contains((byte)'\\'))
            {
                text = element.GetString();
                return text is not null;
            }

            utf8 = raw;
            return true;
        }

        return value.TryGetValue(out text);
    }

    /// <summary>Whether the node holds a data URL; otherwise yields the (small) URL text.</summary>
    private static bool IsDataUrlNode(JsonNode node, out string? other)
    {
        other = null;
        if (!TryGetText(node, out ReadOnlySpan<byte> utf8, out string? text))
        {
            return false;
        }

        if (text is null)
        {
            if (utf8.Length >= 5 && System.Text.Ascii.EqualsIgnoreCase(utf8[..5], "data:"u8))
            {
                return true;
            }

            other = System.Text.Encoding.UTF8.GetString(utf8);
            return false;
        }

        if (DataUrl.IsDataUrl(text))
        {
            return true;
        }

        other = text;
        return false;
    }

    private static string? ReadShortString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static bool IsMessage(JsonObject item)
    {
        string? type = ReadShortString(item["type"]);
        return type is null or "message";
    }

    private static string Label(PartKind kind) => kind switch
    {
        PartKind.Image => "image",
        PartKind.File => "file",
        PartKind.Audio => "audio",
        _ => "video",
    };

    private static string HostOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.IdnHost.Length > 0 ? uri.IdnHost : "invalid-url";

    private static string FileNameOf(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            string last = Uri.UnescapeDataString(uri.Segments[^1]).Trim('/');
            if (last.Length is > 0 and <= 255)
            {
                return last;
            }
        }

        return "file";
    }

    /// <summary>A part to drop; <paramref name="IsSilent"/> parts get no note, notice or log line.</summary>
    private sealed record Removal(JsonObject Message, JsonArray Content, JsonObject Part, string Label, string Host, string Reason, bool IsSilent);

    /// <summary>A remote part of the last user message waiting for its download or URL check.</summary>
    private sealed record Pending(JsonObject Message, JsonArray Content, JsonObject Part, PartKind Kind, string Url, string Host, JsonObject? UrlHolder);

    /// <summary>The result of one pending item: a reason to drop it, or the inlined data URL.</summary>
    private readonly record struct PendingOutcome(string? Reason, string? DataUrl, string? MediaType, long Length);
}
