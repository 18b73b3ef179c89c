using System.Text.Json;
using KarmaKit.Protocol.Batches;

namespace KarmaKit.Collector.Ingest;

internal sealed partial class BatchEndpoint
{
    /// <summary>Reads and deserialises the body within the caps; null when it has already answered.</summary>
    private async Task<ReportBatch?> ReadBatchAsync(HttpContext context, string reporter)
    {
        using var timeout = new CancellationTokenSource(_options.BodyTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        int status;
        string reason;
        try
        {
            var batch = await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.ReportBatch, linked.Token);
            if (batch is not null)
            {
                return batch;
            }

            (status, reason) = (StatusCodes.Status400BadRequest, "the body is JSON null, not a batch");
        }
        catch (JsonException ex)
        {
            (status, reason) = (StatusCodes.Status400BadRequest,
                $"malformed batch JSON at {ex.Path ?? "$"} (line {ex.LineNumber ?? 0}, byte {ex.BytePositionInLine ?? 0})");
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
}
