using System.Globalization;
using KarmaKit.Collector.Operator;

namespace KarmaKit.Collector.Listing;

/// <summary>
/// The words the <c>why</c> uses for the operator's entries ("allowed by operator: 192.0.2.0/24 until 2026-12-04T06:00:00Z
/// (customer relay)"). Without the operator's name: the public lookup shows them too; the admin lookup names who.
/// </summary>
internal static class OperatorText
{
    public static string Allow(OperatorAction allow) =>
        $"{allow.Network} {(allow.Until is { } until ? $"until {Time(until)}" : "with no end")}{Reason(allow.Reason)}";

    public static string Delist(OperatorAction delist, string state) =>
        $"at {Time(delist.At)}{(delist.Until is { } until ? $", held until {Time(until)}" : "")}{Reason(delist.Reason)}: {state}";

    public static string Time(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Reason(string? reason) => string.IsNullOrEmpty(reason) ? "" : $" ({reason})";
}
