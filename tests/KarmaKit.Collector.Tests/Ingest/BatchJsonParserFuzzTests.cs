using System.Text;
using KarmaKit.Collector.Ingest;
using Xunit.Abstractions;

namespace KarmaKit.Collector.Tests.Ingest;

/// <summary>
/// Random mutations of valid bodies (seeded, so a failure repeats): whenever <see cref="BatchJsonParser"/> accepts a
/// mutant, the old path must accept it too, with the same entries. It may leave any mutant to the old path.
/// </summary>
public sealed class BatchJsonParserFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "1", "-1", "1.5", "1e3", "null", "true", "\"\"", "\"x\"",
        "\"verb\":", "\"count\":", "\"reason\":", "\"first\":", "\"reporter\":", "\"reports\":", "black", "WHITE",
        "\\u0000", "\\u00e9", "\\ud800", "\u0085", "\u007f", "\t", "Z", "+01:00", "T", "::", ".", "255", "256",
        "\"192.0.2.1\"", "\"2026-11-26T17:00:00Z\"", "/**/",
    ];

    [Fact]
    public void TryParse_MutatedBodies_NeverAcceptsWhatTheOldPathRefusesOrDiffers()
    {
        var seeds = BatchJsonParserTests.AcceptedForms().Select(row => Encoding.UTF8.GetBytes((string)row[1])).ToArray();
        var random = new Random(5782);
        int fastAccepted = 0, oldAccepted = 0;
        const int Mutants = 30_000;
        for (var n = 0; n < Mutants; n++)
        {
            var body = Mutate(seeds[random.Next(seeds.Length)], random);
            var old = OldBatchPath.Parse(body);
            oldAccepted += old is null ? 0 : 1;
            if (!BatchJsonParser.TryParse(body, OldBatchPath.Options, OldBatchPath.Now, out var fast))
            {
                continue;
            }

            fastAccepted++;
            var why = $"mutant {n}: {Encoding.UTF8.GetString(body)}";
            Assert.True(old is not null, $"{why}: accepted, the old path refuses it");
            OldBatchPath.AssertSame(old.Value, fast, why);
        }

        output.WriteLine($"{Mutants} mutants: old path accepted {oldAccepted}, the fast parser {fastAccepted}");
        Assert.True(fastAccepted > Mutants / 20, $"only {fastAccepted} mutants accepted: the test explores too little");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var body = new List<byte>(seed);
        for (var m = random.Next(1, 3); m > 0; m--)
        {
            var at = random.Next(body.Count);
            switch (random.Next(4))
            {
                case 0:
                    body.RemoveRange(at, Math.Min(random.Next(1, 4), body.Count - at));
                    break;
                case 1:
                    body.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 2:
                    body[at] = Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)])[0];
                    break;
                default:
                    var length = Math.Min(random.Next(1, 40), body.Count - at);
                    body.InsertRange(random.Next(body.Count), body.GetRange(at, length));
                    break;
            }
        }

        return [.. body];
    }
}
