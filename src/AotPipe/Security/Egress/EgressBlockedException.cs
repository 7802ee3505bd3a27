namespace AotPipe.Security.Egress;

/// <summary>Raised inside the connect callback when a target fails the egress rules; <see cref="Reason"/> is an <see cref="EgressReasons"/> value.</summary>
internal sealed class EgressBlockedException : Exception
{
    /// <summary>Creates the exception for <paramref name="reason"/>.</summary>
    public EgressBlockedException(string reason)
        : base("Egress blocked: " + reason)
    {
        Reason = reason;
    }

    /// <summary>The stable block reason.</summary>
    public string Reason { get; }
}
