using AotPipe.Errors;

namespace AotPipe.Upstream;

/// <summary>The result of sending one request upstream: a response with headers, or the error that prevented it.</summary>
/// <param name="Response">The upstream response (caller disposes), when <paramref name="Error"/> is none.</param>
/// <param name="Error">Why there is no response.</param>
/// <param name="Exception">The cause, for the log line.</param>
public readonly record struct UpstreamAttempt(HttpResponseMessage? Response, GatewayError Error, Exception? Exception = null);
