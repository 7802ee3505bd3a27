namespace AotPipe.Hosting;

/// <summary>Owns the one guarded download client so the container disposes it at shutdown.</summary>
internal sealed class GuardedDownloadClient : IDisposable
{
    /// <summary>Wraps the invoker.</summary>
    public GuardedDownloadClient(HttpMessageInvoker invoker) => Invoker = invoker;

    /// <summary>The guarded client (no proxy, no redirects, connects only to validated addresses).</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <inheritdoc />
    public void Dispose() => Invoker.Dispose();
}
