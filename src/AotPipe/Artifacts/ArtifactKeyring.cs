namespace AotPipe.Artifacts;

/// <summary>The key that writes (current) and the one still read during a rotation (previous), found by key id.</summary>
internal sealed class ArtifactKeyring
{
    /// <summary>Creates a keyring.</summary>
    /// <param name="current">The key every new envelope is sealed with.</param>
    /// <param name="previous">An older key kept for reads; ignored when it is the same key as <paramref name="current"/>.</param>
    public ArtifactKeyring(ArtifactKey current, ArtifactKey? previous = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        Current = current;
        Previous = previous is not null && !previous.KeyId.SequenceEqual(current.KeyId) ? previous : null;
    }

    /// <summary>The write key.</summary>
    public ArtifactKey Current { get; }

    /// <summary>The read-only older key, if any.</summary>
    public ArtifactKey? Previous { get; }

    /// <summary>Finds the key whose id is <paramref name="keyId"/>.</summary>
    /// <param name="keyId">The 4 key-id bytes from an envelope header.</param>
    /// <param name="key">The matching key.</param>
    /// <returns>False when neither key has that id.</returns>
    public bool TryFind(ReadOnlySpan<byte> keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ArtifactKey? key)
    {
        if (keyId.SequenceEqual(Current.KeyId))
        {
            key = Current;
            return true;
        }

        if (Previous is not null && keyId.SequenceEqual(Previous.KeyId))
        {
            key = Previous;
            return true;
        }

        key = null;
        return false;
    }
}
