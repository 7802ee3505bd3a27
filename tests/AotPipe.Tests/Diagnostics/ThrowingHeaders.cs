using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AotPipe.Tests.Diagnostics;

/// <summary>Headers that throw on any read: proves a code path never looks at them.</summary>
internal sealed class ThrowingHeaders : IHeaderDictionary
{
    public StringValues this[string key]
    {
        get => throw Touched();
        set => throw Touched();
    }

    public long? ContentLength
    {
        get => throw Touched();
        set => throw Touched();
    }

    public ICollection<string> Keys => throw Touched();

    public ICollection<StringValues> Values => throw Touched();

    public int Count => throw Touched();

    public bool IsReadOnly => throw Touched();

    StringValues IDictionary<string, StringValues>.this[string key]
    {
        get => throw Touched();
        set => throw Touched();
    }

    public void Add(string key, StringValues value) => throw Touched();

    public void Add(KeyValuePair<string, StringValues> item) => throw Touched();

    public void Clear() => throw Touched();

    public bool Contains(KeyValuePair<string, StringValues> item) => throw Touched();

    public bool ContainsKey(string key) => throw Touched();

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex) => throw Touched();

    public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => throw Touched();

    public bool Remove(string key) => throw Touched();

    public bool Remove(KeyValuePair<string, StringValues> item) => throw Touched();

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StringValues value) => throw Touched();

    IEnumerator IEnumerable.GetEnumerator() => throw Touched();

    private static InvalidOperationException Touched() => new("headers were read although debug logging is off");
}
