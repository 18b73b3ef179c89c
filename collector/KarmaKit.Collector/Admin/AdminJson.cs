using System.Text.Json;
using KarmaKit.Collector.Listing;
using KarmaKit.Collector.Operator;
using KarmaKit.Collector.State;

namespace KarmaKit.Collector.Admin;

/// <summary>The admin lookup's JSON: the public lookup's two decisions, and what they were made from, reporters included.</summary>
internal static class AdminJson
{
    public static void WriteReport(Utf8JsonWriter writer, ListingReport report)
    {
        writer.WriteString("address", report.Address.ToString());
        writer.WriteString("key", $"{report.Key}/{report.KeyLength}");
        LookupEndpoint.Write(writer, "block", report.Block, w => Until(w, report.Block));
        LookupEndpoint.Write(writer, "allow", report.Allow, w => Until(w, report.Allow));
        if (report.AllowEntry is { } allow)
        {
            WriteAction(writer, "operatorAllow", allow);
        }

        if (report.Delist is { } delist)
        {
            WriteAction(writer, "delist", delist);
        }

        var firstSeen = report.Subjects.Select(s => s.FirstBlack).Where(t => t is not null).Min();
        var lastSeen = report.Subjects.SelectMany(s => new[] { s.LastBlack, s.LastWhite }).Where(t => t is not null).Max();
        Time(writer, "firstSeen", firstSeen);
        Time(writer, "lastSeen", lastSeen);
        writer.WriteStartArray("reporters");
        foreach (var r in report.Reporters)
        {
            writer.WriteStartObject();
            writer.WriteString("name", r.Name);
            Time(writer, "lastSeen", r.LastSeen);
            writer.WriteNumber("weight", r.Weight);
            writer.WriteBoolean("capped", r.Capped);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("subjects");
        foreach (var s in report.Subjects)
        {
            writer.WriteStartObject();
            writer.WriteString("address", s.Address.ToString());
            Time(writer, "firstBlack", s.FirstBlack);
            Time(writer, "lastBlack", s.LastBlack);
            Time(writer, "lastWhite", s.LastWhite);
            writer.WriteNumber("blackCount", s.BlackCount);
            writer.WriteNumber("whiteCount", s.WhiteCount);
            Text(writer, "blackReason", s.BlackReason);
            Text(writer, "whiteReason", s.WhiteReason);
            Text(writer, "whiteReporter", s.WhiteReporter);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>An operator action as an object named <paramref name="name"/>.</summary>
    public static void WriteAction(Utf8JsonWriter writer, string name, OperatorAction action)
    {
        writer.WriteStartObject(name);
        writer.WriteString("action", action.Verb.ToWire());
        writer.WriteString("network", action.Network.ToString());
        writer.WriteString("operator", action.Operator);
        Time(writer, "at", action.At);
        Time(writer, "until", action.Until);
        Text(writer, "reason", action.Reason);
        writer.WriteEndObject();
    }

    /// <summary>When a listing can next change by time alone: its end unless new reports come.</summary>
    private static void Until(Utf8JsonWriter writer, ListingDecision decision)
    {
        if (decision.ReviewAt != 0)
        {
            Time(writer, decision.IsListed ? "until" : "changesAt", StateTime.ToDateTime(decision.ReviewAt));
        }
    }

    private static void Time(Utf8JsonWriter writer, string name, DateTime? time)
    {
        if (time is { } t)
        {
            // The state keeps whole seconds; the log's times have milliseconds.
            var format = t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-ddTHH:mm:ssZ" : "yyyy-MM-ddTHH:mm:ss.fffZ";
            writer.WriteString(name, t.ToString(format, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void Text(Utf8JsonWriter writer, string name, string? text)
    {
        if (text is not null)
        {
            writer.WriteString(name, text);
        }
    }
}
