using System.Text.Json;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Ingest;

internal sealed partial class BatchEndpoint
{
    /// <summary>Reads the whole body within the size and time caps into a pooled buffer; null when it has already answered.</summary>
    private async Task<PooledBody?> ReadBodyAsync(HttpContext context, string reporter)
    {
        using var timeout = new CancellationTokenSource(_options.BodyTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        int status;
        string reason;
        try
        {
            return await PooledBody.ReadAsync(context.Request.Body, context.Request.ContentLength, _options.MaxBodyBytes, linked.Token);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            (status, reason) = (ex.StatusCode, $"request body larger than {_options.MaxBodyBytes} bytes");
        }
        catch (BadHttpRequestException ex)
        {
            (status, reason) = (ex.StatusCode, $"request body not read: {ex.Message}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            (status, reason) = (StatusCodes.Status408RequestTimeout, $"request body not received within {_options.BodyTimeout}");
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return null; // the client went away
        }

        _logger.BodyUnreadable(reporter, status, reason);
        if (status == StatusCodes.Status408RequestTimeout)
        {
            context.Response.Headers.Connection = "close";
        }

        await RefuseCountedAsync(context, status, reason);
        return null;
    }

    /// <summary>
    /// The slow path, for a body <see cref="BatchJsonParser"/> did not accept: the source-generated deserialiser over
    /// the same bytes, which words the 400 for malformed JSON (path, line, byte). Null when it has answered.
    /// </summary>
    private async Task<ReportBatch?> DeserializeAsync(HttpContext context, string reporter, PooledBody body)
    {
        string reason;
        try
        {
            // A stream, not the span overload, so a UTF-8 byte order mark is skipped as it always was.
            using var stream = body.AsStream();
            var batch = JsonSerializer.Deserialize(stream, ProtocolJsonContext.Default.ReportBatch);
            if (batch is not null)
            {
                return batch;
            }

            reason = "the body is JSON null, not a batch";
        }
        catch (JsonException ex)
        {
            reason = $"malformed batch JSON at {ex.Path ?? "$"} (line {ex.LineNumber ?? 0}, byte {ex.BytePositionInLine ?? 0})";
        }

        _logger.BodyUnreadable(reporter, StatusCodes.Status400BadRequest, reason);
        await RefuseCountedAsync(context, StatusCodes.Status400BadRequest, reason);
        return null;
    }
}
