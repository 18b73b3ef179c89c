using KarmaKit.FunctionalTests.EximKit;
using KarmaKit.TestSupport;

namespace KarmaKit.FunctionalTests.Support;

/// <summary>Real dig (dnsutils) against a server on loopback, its answer reduced to what two servers can be compared on.</summary>
internal static class Dig
{
    public static async Task<DigAnswer> AskAsync(int port, string name, string type)
    {
        var result = await ProcessRunner.RunAsync("dig", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "@127.0.0.1",
            "+norec", "+noedns", "+time=2", "+tries=3", name, type);
        Assert.True(result.ExitCode == 0, $"dig {name} {type} on port {port}: {result}");
        return DigAnswer.Parse(result.Output);
    }
}
