using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using AotPipe.Artifacts;
using AotPipe.Configuration;
using AotPipe.Diagnostics;
using AotPipe.Errors;
using AotPipe.Hosting;
using AotPipe.Ingestion;
using AotPipe.Streaming;
using AotPipe.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AotPipe.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>: translate to a Responses request, forward, translate the answer back.</summary>
/// <remarks>
/// <para>Step map of <c>HandleAsync</c>:</para>
/// <list type="number">
/// <item>admission, upstream key, body under the size cap;</item>
/// <item>caller identity from the forwarded headers, stored artifacts loaded for the markers in the history;</item>
/// <item>translation (validation errors are 400 naming the field) and identifier rebuilding;</item>
/// <item>ingestion of the last user message's attachments through the egress guard;</item>
/// <item>upstream call; stream through <see cref="ChatStreamSink"/> or assemble one <c>chat.completion</c>.</item>
/// </list>
/// </remarks>
public static class ChatCompletionsEndpoints
{
    /// <summary>Largest non-streaming upstream body accepted.</summary>
    public const int MaxNonStreamBodyBytes = 64 * 1024 * 1024;

    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapChatCompletions(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/chat/completions", static (HttpContext context) => PostRoute.RunAsync(context, "AotPipe.Endpoints.ChatCompletions", HandleAsync));
        return routes;
    }

    private static async Task HandleAsync(HttpContext context, JsonObject body, GatewaySettings settings, ILogger logger)
    {
        // :: Step 1 ran in PostRoute (admission, upstream key, body under the cap).
        var services = context.RequestServices;

        // :: Step 2
        var identity = CallerIdentityReader.Read(context, body);
        var artifacts = services.GetService<ArtifactStoreLifetime>() is { } lifetime && await lifetime.WaitReadyAsync(context.RequestAborted)
            ? services.GetService<ChatArtifacts>()
            : null;
        var replay = artifacts is null ? null : await artifacts.LoadReplayAsync(body, identity, context.RequestAborted);

        // :: Step 3
        var translation = ChatRequestTranslator.Translate(body, identity, services.GetRequiredService<IdentifierOptions>(), replay);
        if (!translation.IsValid)
        {
            await GatewayErrorReporter.WriteAsync(context, GatewayError.InvalidRequest, logger, translation.Error!.Param, translation.Error.Message);
            return;
        }

        var request = translation.Request!;

        // :: Step 4
        var ingestion = await services.GetRequiredService<AttachmentIngestor>().ProcessAsync(request, identity.UserId, context.RequestAborted);
        var notice = ingestion.HasNotices ? FormatNotices(ingestion.Notices) : null;

        // :: Step 5
        var payload = ResponsesEndpoints.Serialize(request);
        PayloadLog.UpstreamRequest(logger, payload.Span, settings);
        using var timer = new RelayTimer(context.RequestAborted, services.GetRequiredService<ShutdownDrain>().Token, settings.IdleTimeout);
        if (await UpstreamForwarding.SendAsync(context, payload, translation.Stream, timer, logger) is not { } upstream)
        {
            return;
        }

        using (upstream)
        {
            var time = services.GetRequiredService<TimeProvider>();
            if (translation.Stream)
            {
                var translator = new ChatChunkTranslator(time, translation.Model, translation.IncludeUsage, identity.RequestId);
                var terminalStep = artifacts?.CreateTerminalStep(identity, translator);
                var sink = new ChatStreamSink(translator, notice, terminalStep);
                var outcome = await UpstreamForwarding.StreamAsync(context, upstream, sink, timer, logger, time);
                if (translator.HasUsage)
                {
                    GatewayMetrics.RecordUsage(context, translator.Usage);
                }

                if (artifacts is not null && outcome.Error == GatewayError.None && !outcome.ClientGone)
                {
                    await artifacts.AfterReplyAsync(identity, translation, translator.Outcome == ResponseOutcome.Completed);
                }
            }
            else
            {
                await WriteNonStreamAsync(context, upstream, translation, identity, notice, time, timer, logger);
            }
        }
    }

    private static async Task WriteNonStreamAsync(
        HttpContext context, HttpResponseMessage upstream, TranslationResult translation, CallerIdentity identity, string? notice, TimeProvider time, RelayTimer timer, ILogger logger)
    {
        byte[] bytes;
        try
        {
            timer.ArmIdle();
            bytes = await upstream.Content.ReadAsByteArrayAsync(timer.Token);
            timer.DisarmIdle();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            var cause = ex is OperationCanceledException ? timer.Classify() : GatewayError.UpstreamReset;
            if (cause != GatewayError.None)
            {
                await GatewayErrorReporter.WriteAsync(context, cause == GatewayError.UpstreamIdleTimeout ? GatewayError.UpstreamTimeout : GatewayError.UpstreamUnreachable, logger, exception: ex);
            }

            return;
        }

        var buffer = new ArrayBufferWriter<byte>(bytes.Length + 512);
        var assembled = ChatCompletionAssembler.Assemble(new ReadOnlySequence<byte>(bytes), translation.Model, identity.RequestId, time, buffer, notice);
        if (!assembled.IsWritten)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Response.ContentType = "application/json";
            OpenAiErrorWriter.Write(context.Response.BodyWriter, "OpenRouter: " + (assembled.ErrorMessage ?? "the response could not be read."), "upstream_error", assembled.ErrorCode ?? "upstream_error");
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            return;
        }

        if (assembled.HasUsage)
        {
            GatewayMetrics.RecordUsage(context, assembled.Usage);
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>The client-visible notice lines (DESIGN.md section 6), stripped from history on the next turn.</summary>
    internal static string FormatNotices(IReadOnlyList<string> notices)
    {
        var text = new StringBuilder();
        foreach (var notice in notices)
        {
            text.Append("> ⚠ attachment removed: ").Append(notice).Append('\n');
        }

        return text.Append('\n').ToString();
    }
}
