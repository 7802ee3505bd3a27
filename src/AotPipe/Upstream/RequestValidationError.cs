namespace AotPipe.Upstream;

/// <summary>An invalid chat request: answered with 400 <c>invalid_request_error</c>, <c>code</c> and <c>param</c> = <see cref="Param"/>.</summary>
/// <param name="Param">The offending field, e.g. <c>messages[2].role</c>.</param>
/// <param name="Message">A human-readable reason that quotes no payload bytes.</param>
internal sealed record RequestValidationError(string Param, string Message);
