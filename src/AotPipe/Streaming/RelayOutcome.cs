using AotPipe.Errors;

namespace AotPipe.Streaming;

/// <summary>How one relayed stream ended.</summary>
/// <param name="Error"><see cref="GatewayError.None"/> when the upstream finished; otherwise what the gateway detected.</param>
/// <param name="ClientGone">The client disconnected (nothing more could be written).</param>
/// <param name="Events">Events handed to the sink.</param>
/// <param name="Exception">The exception behind <paramref name="Error"/>, for the log line.</param>
public readonly record struct RelayOutcome(GatewayError Error, bool ClientGone, long Events, Exception? Exception = null);
