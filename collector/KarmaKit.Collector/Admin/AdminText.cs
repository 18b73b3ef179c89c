using System.Text.Json;

namespace KarmaKit.Collector.Admin;

/// <summary>The admin endpoints' JSON as lines for a terminal.</summary>
internal static class AdminText
{
    public static void Write(string command, JsonElement root, TextWriter output)
    {
        if (command == "stats")
        {
            Stats(root, output);
            return;
        }

        if (root.TryGetProperty("done", out var done))
        {
            output.WriteLine($"{S(done, "action")} {S(done, "network")} by {S(done, "operator")} at {S(done, "at")}"
                + (S(done, "until") is { } until ? $" until {until}" : "") + (S(done, "reason") is { } reason ? $" ({reason})" : ""));
            root = root.GetProperty("lookup");
        }

        Lookup(root, output);
    }

    private static void Lookup(JsonElement r, TextWriter output)
    {
        output.WriteLine($"{S(r, "address")} (listing key {S(r, "key")})");
        foreach (var (name, label) in new[] { ("block", "blocklist"), ("allow", "allowlist") })
        {
            var list = r.GetProperty(name);
            var when = S(list, "until") is { } until ? $"; until {until} unless reported again" : S(list, "changesAt") is { } at ? $"; changes at {at}" : "";
            output.WriteLine($"  {label}: {(list.GetProperty("listed").GetBoolean() ? "LISTED" : "not listed")}: {S(list, "why")}{when}");
        }

        if (r.TryGetProperty("operatorAllow", out var allow))
        {
            output.WriteLine($"  operator allow: {S(allow, "network")} by {S(allow, "operator")} at {S(allow, "at")}, {(S(allow, "until") is { } u ? $"until {u}" : "no end")} ({S(allow, "reason")})");
        }

        if (r.TryGetProperty("delist", out var delist))
        {
            output.WriteLine($"  delisted: by {S(delist, "operator")} at {S(delist, "at")}" + (S(delist, "until") is { } u ? $", held until {u}" : "")
                + (S(delist, "reason") is { } reason ? $" ({reason})" : ""));
        }

        output.WriteLine($"  first seen: {S(r, "firstSeen") ?? "never"}, last seen: {S(r, "lastSeen") ?? "never"}");
        foreach (var reporter in r.GetProperty("reporters").EnumerateArray())
        {
            output.WriteLine($"  reporter {S(reporter, "name")}: last {S(reporter, "lastSeen")}, weight {reporter.GetProperty("weight").GetDouble()}"
                + (reporter.GetProperty("capped").GetBoolean() ? ", over its daily cap" : ""));
        }

        foreach (var subject in r.GetProperty("subjects").EnumerateArray())
        {
            output.WriteLine($"  address {S(subject, "address")}: {subject.GetProperty("blackCount").GetUInt32()} black"
                + (S(subject, "blackReason") is { } b ? $" (latest: {b})" : "") + $", {subject.GetProperty("whiteCount").GetUInt32()} white"
                + (S(subject, "whiteReporter") is { } w ? $" (latest from {w}{(S(subject, "whiteReason") is { } wr ? $": {wr}" : "")})" : ""));
        }
    }

    private static void Stats(JsonElement r, TextWriter output)
    {
        var lists = r.GetProperty("lists");
        foreach (var (name, label) in new[] { ("block", "blocklist"), ("allow", "allowlist") })
        {
            var list = lists.GetProperty(name);
            output.WriteLine($"{label}: {list.GetProperty("entries").GetInt32()} entries, serial {list.GetProperty("serial").GetUInt32()}");
        }

        output.WriteLine($"state: {r.GetProperty("subjects").GetInt32()} subjects, {r.GetProperty("reporters").GetInt32()} reporters, {r.GetProperty("stateLines").GetInt64()} log lines applied");
        var op = r.GetProperty("operator");
        output.WriteLine($"operator: {op.GetProperty("allows").GetInt32()} allow entries, {op.GetProperty("delists").GetInt32()} delists");
        var log = r.GetProperty("log");
        output.WriteLine($"karma.log: {S(log, "path")}, {log.GetProperty("bytes").GetInt64()} bytes{(log.GetProperty("healthy").GetBoolean() ? "" : ", NOT WRITABLE")}");
        if (r.TryGetProperty("sinceStart", out var since))
        {
            output.WriteLine($"since start: {since.GetProperty("black").GetInt64()} black and {since.GetProperty("white").GetInt64()} white reports in "
                + $"{since.GetProperty("batches").GetInt64()} batches ({since.GetProperty("duplicateBatches").GetInt64()} duplicates), "
                + $"{since.GetProperty("operatorActions").GetInt64()} operator actions");
        }
    }

    private static string? S(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
