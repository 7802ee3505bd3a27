using System.Buffers;
using System.Net;
using System.Net.Sockets;
using AotPipe.Security.Egress;

namespace AotPipe.Ingestion;

/// <summary>
/// Downloads one remote attachment through the egress guard and inlines it as a base64 data URL, within the size, time and
/// retry budgets of SECURITY.md §1.5 and DESIGN.md §3.
/// </summary>
internal sealed class RemoteDownloader
{
    /// <summary>Most redirects followed per attempt (SECURITY.md §1.5; ssrf_filter uses 10, .NET 50).</summary>
    public const int MaxRedirects = 5;

    /// <summary>First size of the body buffer when the length is unknown; it doubles up to the limit.</summary>
    public const int InitialBufferSize = 64 * 1024;

    private readonly EgressGuard _guard;
    private readonly HttpMessageInvoker _client;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a downloader sending through <paramref name="client"/> (built by <see cref="GuardedHttpClientFactory"/>).</summary>
    public RemoteDownloader(EgressGuard guard, HttpMessageInvoker client, IngestionOptions options, TimeProvider timeProvider)
    {
        _guard = guard;
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Downloads <paramref name="url"/>. <paramref name="headers"/> (optional) are sent on the first origin only:
    /// <c>Authorization</c> and <c>Cookie</c> are dropped once a redirect leaves it. Failures are values; only cancellation of
    /// <paramref name="cancellationToken"/> throws.
    /// </summary>
    /// <remarks>
    /// Step map: 1 the whole-download budget; 2 one attempt (redirect loop, headers, body); 3 retry decision with backoff
    /// or <c>Retry-After</c>, never waiting past the budget.
    /// </remarks>
    public async Task<DownloadResult> DownloadAsync(string url, IReadOnlyList<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        // :: Step 1: the budget covers every attempt and every wait.
        long started = _timeProvider.GetTimestamp();
        using var budget = new CancellationTokenSource(_options.MaxRetryTime, _timeProvider);
        using var budgetLinked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        for (int attempt = 0; ; attempt++)
        {
            // :: Step 2
            AttemptOutcome outcome = await AttemptAsync(url, headers, budgetLinked.Token, cancellationToken);
            if (outcome.Result.IsSuccess || !outcome.IsRetryable || attempt >= _options.MaxRetries)
            {
                return outcome.Result;
            }

            // :: Step 3: exponential backoff from the initial delay; a Retry-After replaces it but never stretches the budget.
            TimeSpan delay = outcome.RetryAfter ?? _options.InitialRetryDelay * Math.Pow(2, attempt);
            if (_timeProvider.GetElapsedTime(started) + delay >= _options.MaxRetryTime)
            {
                return outcome.Result;
            }

            try
            {
                await Task.Delay(delay, _timeProvider, budgetLinked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return DownloadResult.Failure(EgressReasons.Timeout);
            }
        }
    }

    private async Task<AttemptOutcome> AttemptAsync(string url, IReadOnlyList<KeyValuePair<string, string>>? headers, CancellationToken budgetToken, CancellationToken callerToken)
    {
        using var attemptTimer = new CancellationTokenSource(_options.AttemptTimeout, _timeProvider);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(budgetToken, attemptTimer.Token);
        HttpResponseMessage? response = null;
        try
        {
            string current = url;
            Uri? previous = null;
            Uri? origin = null;
            for (int hop = 0; ; hop++)
            {
                EgressDecision decision = await _guard.CheckAsync(current, attempt.Token);
                if (!decision.IsAllowed)
                {
                    return AttemptOutcome.Final(decision.Reason!);
                }

                Uri target = decision.Target!;
                if (previous is not null && previous.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps)
                {
                    return AttemptOutcome.Final(EgressReasons.RedirectDowngrade);
                }

                origin ??= target;
                using HttpRequestMessage request = GuardedHttpClientFactory.CreateRequest(decision);
                AddHeaders(request, headers, sameOrigin: IsSameOrigin(origin, target));

                using (var headerTimer = new CancellationTokenSource(_options.ResponseHeaderTimeout, _timeProvider))
                using (var headerToken = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token, headerTimer.Token))
                {
                    response = await _client.SendAsync(request, headerToken.Token);
                }

                if (IsRedirect(response.StatusCode))
                {
                    if (hop >= MaxRedirects)
                    {
                        return AttemptOutcome.Final(EgressReasons.TooManyRedirects);
                    }

                    string? next = NextLocation(target, response);
                    response.Dispose();
                    response = null;
                    if (next is null)
                    {
                        return AttemptOutcome.Final(EgressReasons.BadRedirect);
                    }

                    previous = target;
                    current = next;
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    int status = (int)response.StatusCode;
                    bool retryable = status is 408 or 425 or 429 || status >= 500;
                    return new AttemptOutcome(
                        DownloadResult.Failure(EgressReasons.HttpStatusPrefix + status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        retryable,
                        retryable ? RetryAfter(response) : null);
                }

                return await ReadBodyAsync(response, attempt.Token);
            }
        }
        catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // The attempt deadline (or the header timeout) may leave budget for another try; the budget itself does not.
            return budgetToken.IsCancellationRequested ? AttemptOutcome.Final(EgressReasons.Timeout) : new AttemptOutcome(DownloadResult.Failure(EgressReasons.Timeout), true, null);
        }
        catch (HttpRequestException ex) when (FindBlock(ex) is { } blocked)
        {
            return AttemptOutcome.Final(blocked.Reason);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
        {
            return new AttemptOutcome(DownloadResult.Failure(EgressReasons.NetworkError), true, null);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<AttemptOutcome> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        long limit = Math.Min(_options.RemoteFileMaxBytes, Array.MaxLength);
        long? declared = response.Content.Headers.ContentLength;
        if (declared > limit)
        {
            return AttemptOutcome.Final(EgressReasons.TooLarge);
        }

        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        int size = (int)Math.Min(limit, declared ?? InitialBufferSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        int filled = 0;
        try
        {
            while (true)
            {
                // The pool may hand out a larger array; only the limit's worth of it is ever used.
                int capacity = (int)Math.Min(buffer.Length, limit);
                if (filled == capacity)
                {
                    if (filled == limit)
                    {
                        // At the limit: any further byte makes the body one too many.
                        byte[] probe = ArrayPool<byte>.Shared.Rent(1);
                        int extra;
                        try
                        {
                            extra = await body.ReadAsync(probe.AsMemory(0, 1), cancellationToken);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(probe);
                        }

                        if (extra > 0)
                        {
                            return AttemptOutcome.Final(EgressReasons.TooLarge);
                        }

                        break;
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, (long)buffer.Length * 2));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    continue;
                }

                int read = await body.ReadAsync(buffer.AsMemory(filled, capacity - filled), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            string mediaType = MediaTypeSniffer.Detect(buffer.AsSpan(0, filled), response.Content.Headers.ContentType?.MediaType);
            string dataUrl = BuildDataUrl(mediaType, buffer, filled);
            return new AttemptOutcome(new DownloadResult(true, dataUrl, mediaType, filled, null), false, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes <c>data:&lt;type&gt;;base64,</c> and the first <paramref name="length"/> bytes of <paramref name="content"/> straight into one string.</summary>
    internal static string BuildDataUrl(string mediaType, byte[] content, int length)
    {
        const string Base64Marker = ";base64,";
        int prefixLength = DataUrl.Prefix.Length + mediaType.Length + Base64Marker.Length;
        int encodedLength = checked(((length + 2) / 3) * 4);
        return string.Create(prefixLength + encodedLength, (mediaType, content, length), static (destination, state) =>
        {
            DataUrl.Prefix.CopyTo(destination);
            state.mediaType.CopyTo(destination[DataUrl.Prefix.Length..]);
            int offset = DataUrl.Prefix.Length + state.mediaType.Length;
            Base64Marker.CopyTo(destination[offset..]);
            Convert.TryToBase64Chars(state.content.AsSpan(0, state.length), destination[(offset + Base64Marker.Length)..], out _);
        });
    }

    private static void AddHeaders(HttpRequestMessage request, IReadOnlyList<KeyValuePair<string, string>>? headers, bool sameOrigin)
    {
        if (headers is null)
        {
            return;
        }

        foreach (KeyValuePair<string, string> header in headers)
        {
            // ssrf_filter's rule: credentials never follow a redirect to another origin.
            if (!sameOrigin
                && (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    private static bool IsSameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The next URL as text for the guard: absolute and network-path locations stay raw so every shape rule sees them.</summary>
    private static string? NextLocation(Uri current, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Location", out IEnumerable<string>? values))
        {
            return null;
        }

        string? raw = values.FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        if (raw.StartsWith("//", StringComparison.Ordinal))
        {
            return current.Scheme + ":" + raw;
        }

        if (raw.Contains("://", StringComparison.Ordinal) || raw.Contains('\\'))
        {
            // Absolute, or a backslash form some parsers read as a network path: the guard judges the raw text.
            return raw.Contains('\\') && !raw.Contains("://", StringComparison.Ordinal) ? current.Scheme + "://" + raw.TrimStart('\\', '/') : raw;
        }

        return Uri.TryCreate(current, raw, out Uri? next) ? next.AbsoluteUri : null;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        System.Net.Http.Headers.RetryConditionHeaderValue? retry = response.Headers.RetryAfter;
        if (retry?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retry?.Date is { } date)
        {
            TimeSpan wait = date - _timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static EgressBlockedException? FindBlock(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is EgressBlockedException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    /// <summary>One attempt's result, whether another attempt may help, and the server's requested wait.</summary>
    private readonly record struct AttemptOutcome(DownloadResult Result, bool IsRetryable, TimeSpan? RetryAfter)
    {
        public static AttemptOutcome Final(string reason) => new(DownloadResult.Failure(reason), false, null);
    }
}
