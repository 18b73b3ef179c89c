using System.Buffers;
using System.Text;
using KarmaKit.Collector.Storage;
using KarmaKit.Protocol;

namespace KarmaKit.Collector.Operator;

/// <summary>
/// An operator action's karma.log line, in the report lines' layout (<see cref="KarmaLogFormat"/>): receive time,
/// <c>operator:NAME</c> where the reporter stands, the verb, the address or network, then <c>key=value</c> fields
/// and the optional reason, last and quoted with the same escapes:
/// <code>
/// 2026-11-27T06:00:00.000Z operator:alice allow 192.0.2.0/24 until=2026-12-04T06:00:00.000Z reason="customer relay"
/// 2026-11-27T06:05:00.000Z operator:alice unallow 192.0.2.0/24
/// 2026-11-27T06:10:00.000Z operator:alice delist 198.51.100.7 until=2026-11-28T06:10:00.000Z reason="false positive"
/// </code>
/// <c>until</c>: when an allow entry or a delist's hold ends (absent: an allow until <c>unallow</c>, a delist without
/// hold). A reporter name never holds a colon, so these lines are never anyone's reports; the report readers
/// (<see cref="KarmaLogParser"/>, <see cref="State.StateLine"/>) do not take them: their verbs are not black or white.
/// </summary>
internal static class OperatorLogLine
{
    /// <summary>What stands before the operator's name in the reporter field.</summary>
    public const string ReporterPrefix = "operator:";

    private static ReadOnlySpan<byte> Prefix => "operator:"u8;

    /// <summary>The reporter field written for <paramref name="name"/>.</summary>
    public static string Reporter(string name) => ReporterPrefix + name;

    /// <summary>A quick test for the state's and the batch scanner's skip: the reporter field begins with <c>operator:</c>.</summary>
    public static bool IsOperatorLine(ReadOnlySpan<byte> line) =>
        line.Length > KarmaLogFormat.TimeLength + 1 && line[(KarmaLogFormat.TimeLength + 1)..].StartsWith(Prefix);

    /// <summary>Appends the line, LF included.</summary>
    public static void Write(IBufferWriter<byte> output, OperatorAction action)
    {
        KarmaLogFormat.WriteTime(output, action.At);
        KarmaLogFormat.Write(output, " operator:"u8);
        KarmaLogFormat.WriteAscii(output, action.Operator);
        KarmaLogFormat.Write(output, " "u8);
        KarmaLogFormat.WriteAscii(output, action.Verb.ToWire());
        KarmaLogFormat.Write(output, " "u8);
        KarmaLogFormat.WriteAscii(output, action.Network.ToString());
        if (action.Until is { } until)
        {
            KarmaLogFormat.Write(output, " until="u8);
            KarmaLogFormat.WriteTime(output, until);
        }

        if (!string.IsNullOrEmpty(action.Reason))
        {
            KarmaLogFormat.Write(output, " reason=\""u8);
            KarmaLogFormat.WriteEscaped(output, action.Reason);
            KarmaLogFormat.Write(output, "\""u8);
        }

        KarmaLogFormat.Write(output, "\n"u8);
    }

    /// <summary>The line as text, without its LF (snapshots, tests).</summary>
    public static string Format(OperatorAction action)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, action);
        return Encoding.UTF8.GetString(buffer.WrittenSpan[..^1]);
    }

    /// <summary>Parses one line without its LF; false for anything but a well-formed operator line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out OperatorAction? action)
    {
        action = null;
        if (!KarmaLogParser.TryTime(KarmaLogParser.NextField(ref line), out var at))
        {
            return false;
        }

        var reporter = KarmaLogParser.NextField(ref line);
        if (!reporter.StartsWith(Prefix) || !Ascii.IsValid(reporter))
        {
            return false;
        }

        var name = Encoding.ASCII.GetString(reporter[Prefix.Length..]);
        if (!ReporterNames.IsValid(name) || !OperatorVerbs.TryParse(KarmaLogParser.NextField(ref line), out var verb)
            || !IpNetwork.TryParse(KarmaLogParser.NextField(ref line), out var network) || (verb == OperatorVerb.Delist && !network.IsSingle))
        {
            return false;
        }

        DateTime? until = null;
        string? reason = null;
        while (!line.IsEmpty)
        {
            if (reason is not null)
            {
                return false; // the reason is the last field
            }

            var eq = line.IndexOf((byte)'=');
            if (eq <= 0)
            {
                return false;
            }

            var key = line[..eq];
            line = line[(eq + 1)..];
            if (key.SequenceEqual("reason"u8))
            {
                if (!KarmaLogParser.TryUnquote(ref line, out reason))
                {
                    return false;
                }

                continue;
            }

            var value = KarmaLogParser.NextField(ref line);
            if (key.SequenceEqual("until"u8))
            {
                if (!KarmaLogParser.TryTime(value, out var time))
                {
                    return false;
                }

                until = time;
            }
            else if (value.IndexOf((byte)'"') >= 0)
            {
                return false; // an unknown field must be a plain token
            }
        }

        action = new OperatorAction(at, name, verb, network, until, reason);
        return true;
    }
}
