namespace AotPipe.Upstream.Raw;

/// <summary>Told once when a <see cref="RawBodyReader"/> is completed: whether its connection may carry another request.</summary>
internal interface IRawBodyOwner
{
    /// <summary>Returns the connection to the pool when <paramref name="reusable"/>, else closes it.</summary>
    public void Release(bool reusable);
}
