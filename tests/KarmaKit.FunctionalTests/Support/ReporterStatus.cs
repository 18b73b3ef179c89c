using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>
/// What <c>karmakit-reporter status --Reporter:Spool=DIR</c> printed, run as a process as an operator runs it.
/// Each line is a label, two or more spaces, and a value (<c>queue depth      3 undelivered report(s)</c>).
/// </summary>
internal sealed partial record ReporterStatus(int ExitCode, string Output, string Error)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public long QueueDepth => long.Parse(LeadingNumber().Match(Field("queue depth")).Value, CultureInfo.InvariantCulture);

    /// <summary>The <c>last delivery</c> value: <c>never</c>, or a time and an age.</summary>
    public string LastDelivery => Field("last delivery");

    public string OldestWaiting => Field("oldest waiting");

    /// <summary>From <c>journal ... delivered through #D of #L</c>.</summary>
    public long DeliveredThrough => long.Parse(JournalSequences().Match(Field("journal")).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The newest sequence the spool ever held: the <c>N</c> of the last <c>ok N</c>.</summary>
    public long LastSequence => long.Parse(JournalSequences().Match(Field("journal")).Groups[2].Value, CultureInfo.InvariantCulture);

    public string Field(string label)
    {
        foreach (var line in Output.Split('\n'))
        {
            var match = FieldLine().Match(line.TrimEnd('\r'));
            if (match.Success && match.Groups[1].Value == label)
            {
                return match.Groups[2].Value;
            }
        }

        throw new KeyNotFoundException($"no '{label}' line in the status output (exit {ExitCode}):\n{Output}{Error}");
    }

    public override string ToString() => $"exit {ExitCode}\n{Output}{Error}";

    public static async Task<ReporterStatus> RunAsync(string spool)
    {
        var info = new ProcessStartInfo(Binaries.Reporter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("status");
        info.ArgumentList.Add($"--Reporter:Spool={spool}");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("karmakit-reporter did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(guard.Token);
        return new ReporterStatus(process.ExitCode, await output, await error);
    }

    /// <summary>Runs status until <paramref name="condition"/> holds; fails with the last output after <paramref name="timeout"/>.</summary>
    public static async Task<ReporterStatus> WaitUntilAsync(string spool, Func<ReporterStatus, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await RunAsync(spool);
            if (condition(status))
            {
                return status;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"the spool did not reach the expected state within {timeout}; last status:\n{status}");
            }

            await Task.Delay(PollInterval);
        }
    }

    [GeneratedRegex(@"^([a-z]+(?: [a-z]+)*) {2,}(.*)$")]
    private static partial Regex FieldLine();

    [GeneratedRegex("^[0-9]+")]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"delivered through #([0-9]+) of #([0-9]+)$")]
    private static partial Regex JournalSequences();
}
