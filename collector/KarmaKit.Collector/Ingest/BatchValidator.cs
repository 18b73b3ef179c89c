using System.Text;
using KarmaKit.Collector.Configuration;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;
using KarmaKit.Protocol.Batches;
using KarmaKit.Protocol.Subjects;

namespace KarmaKit.Collector.Ingest;

/// <summary>
/// Checks a deserialised batch report by report; one bad report refuses the whole batch (400, or 413 for too many
/// reports) with a reason naming it. JSON nulls are checked here, because the serializer lets <c>"verb":null</c> through.
/// </summary>
internal static class BatchValidator
{
    private const int EchoLength = 48;
    /// <summary>The earliest first time a report may have (also the one-pass parser's bound).</summary>
    internal static readonly DateTime Earliest = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Validates; on success <paramref name="entries"/> holds the reports ready for the log.</summary>
    public static bool TryValidate(ReportBatch batch, IngestOptions options, DateTime now, out ReportEntry[] entries, out int status, out string error)
    {
        entries = [];
        status = 400;
        if (batch.Reporter is null || batch.Batch is null || batch.Reports is null)
        {
            error = "reporter, batch and reports are required";
            return false;
        }

        if (!KarmaLogFormat.IsValidBatchId(batch.Batch))
        {
            error = $"batch id must be 1 to {ProtocolLimits.MaxBatchIdLength} printable ASCII characters without space, '\"' or '\\'";
            return false;
        }

        if (batch.Reports.Count == 0)
        {
            error = "batch has no reports";
            return false;
        }

        if (batch.Reports.Count > options.MaxReportsPerBatch)
        {
            status = 413;
            error = $"batch has {batch.Reports.Count} reports, more than the {options.MaxReportsPerBatch} allowed";
            return false;
        }

        var latest = now + options.MaxClockSkew;
        var result = new ReportEntry[batch.Reports.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var problem = TryReport(batch.Reports[i], latest, out result[i]);
            if (problem is not null)
            {
                error = $"reports[{i}]: {problem}";
                return false;
            }
        }

        entries = result;
        status = 200;
        error = "";
        return true;
    }

    private static string? TryReport(BatchReport? report, DateTime latest, out ReportEntry entry)
    {
        entry = default;
        if (report is null || report.Verb is null || report.Subject is null)
        {
            return "verb and subject are required";
        }

        if (!Verbs.TryParse(report.Verb, out var verb))
        {
            return $"unknown verb '{Echo(report.Verb)}' (expected black or white)";
        }

        if (!IpSubject.TryParse(report.Subject, out var subject) || subject.IsUnspecified)
        {
            return $"subject '{Echo(report.Subject)}' is not an IPv4 or IPv6 address";
        }

        var reason = string.IsNullOrEmpty(report.Reason) ? null : report.Reason;
        if (reason is not null && ReasonProblem(reason) is { } reasonProblem)
        {
            return reasonProblem;
        }

        if (report.Count < 1)
        {
            return $"count must be at least 1, got {report.Count}";
        }

        if (!TryUtc(report.First, out var first) || !TryUtc(report.Last, out var last))
        {
            return "first and last must be times with a zone (2026-11-26T17:19:03.004Z)";
        }

        if (first < Earliest || first > last)
        {
            return "first must be after 2000-01-01 and not after last";
        }

        if (last > latest)
        {
            return "last is in the future (check the reporter's clock)";
        }

        entry = new ReportEntry(verb, subject, report.Count, first, last, reason);
        return null;
    }

    internal static string? ReasonProblem(string reason)
    {
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(reason);
        }
        catch (EncoderFallbackException)
        {
            return "reason is not valid Unicode";
        }

        if (bytes > ProtocolLimits.MaxReasonBytes)
        {
            return $"reason is {bytes} bytes, longer than {ProtocolLimits.MaxReasonBytes}";
        }

        return reason.Any(char.IsControl) ? "reason contains a control character" : null;
    }

    /// <summary>A time with a zone, in UTC; false for one without (DateTimeKind.Unspecified). The one-pass parser uses it too.</summary>
    internal static bool TryUtc(DateTime time, out DateTime utc)
    {
        utc = time.Kind switch
        {
            DateTimeKind.Utc => time,
            DateTimeKind.Local => time.ToUniversalTime(),
            _ => default,
        };
        return time.Kind != DateTimeKind.Unspecified;
    }

    /// <summary>Client text put back in an error: short and without controls.</summary>
    private static string Echo(string text)
    {
        var cut = text.Length > EchoLength ? text[..EchoLength] + "..." : text;
        return string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c));
    }
}
