using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using AotPipe.Errors;
using Microsoft.AspNetCore.Http;

namespace AotPipe.Endpoints;

/// <summary>Reads a JSON request body under the configured size cap.</summary>
public static class RequestBody
{
    /// <summary>Reads and parses the body as a JSON object.</summary>
    /// <returns>The object, or the error (<see cref="GatewayError.RequestTooLarge"/>, <see cref="GatewayError.InvalidRequest"/>).</returns>
    public static async Task<(JsonObject? Body, GatewayError Error, string? Message)> ReadObjectAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return (null, GatewayError.RequestTooLarge, null);
        }

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                if (result.Buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                    return (null, GatewayError.RequestTooLarge, null);
                }

                if (result.IsCompleted)
                {
                    var parsed = Parse(result.Buffer);
                    reader.AdvanceTo(result.Buffer.End);
                    return parsed;
                }

                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, GatewayError.RequestTooLarge, null);
        }
    }

    private static (JsonObject? Body, GatewayError Error, string? Message) Parse(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return (null, GatewayError.InvalidRequest, "The request body is empty; a JSON object is required.");
        }

        try
        {
            var reader = new Utf8JsonReader(buffer);
            var node = JsonNode.Parse(ref reader);
            return node is JsonObject body
                ? (body, GatewayError.None, null)
                : (null, GatewayError.InvalidRequest, "The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            return (null, GatewayError.InvalidRequest, "The request body is not valid JSON.");
        }
    }
}
