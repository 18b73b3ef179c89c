using KarmaKit.FunctionalTests.Exim;

namespace KarmaKit.FunctionalTests.Compat;

/// <summary>
/// The seed page's own wire against the real collector: Exim 4.96's <c>${readsocket}</c> exactly as the page writes
/// it (<c>{black $sender_host_address\n}{3s}{}{}</c>), through <c>exim -be</c> as root (research note §5).
/// </summary>
public sealed class EximCompatTests
{
    private const string Reporter = "exim-compat";

    private static string SeedCall(CompatCollector collector, string request, string options = "3s") =>
        $"${{readsocket{{inet:{collector.Compat.Address}:{collector.Compat.Port}}}{{{request}\\n}}{{{options}}}{{}}{{}}}}";

    [Fact]
    public async Task Be_SeedReadsocketLine_OkAndInKarmaLogOnceAsTheMappedReporter()
    {
        await using var collector = await CompatCollector.StartAsync(Reporter, "127.0.0.1");
        using var exim = EximEnvironment.Create("inet:127.0.0.1:1");

        var result = await exim.ExpandAsync(SeedCall(collector, "black 192.0.2.77"));

        Assert.Equal("ok\n\n", result.Output); // the reply with its newline kept ({} eol), then -be's own newline
        var line = Assert.Single(collector.LogLines());
        Assert.Matches(@"^\S+Z exim-compat black 192\.0\.2\.77 count=1 first=\S+Z last=\S+Z$", line);
    }

    [Fact]
    public async Task Be_ShutdownNoWithReason_OkWithoutWaitingForEof()
    {
        await using var collector = await CompatCollector.StartAsync(Reporter, "127.0.0.0/8");
        using var exim = EximEnvironment.Create("inet:127.0.0.1:1");

        var result = await exim.ExpandAsync(SeedCall(collector, "white 2001:db8:0:0::5 known good relay", "3s:shutdown=no"));

        Assert.Equal("ok\n\n", result.Output);
        Assert.Matches(@" exim-compat white 2001:db8::5 count=1 first=\S+ last=\S+ reason=""known good relay""$", Assert.Single(collector.LogLines()));
    }

    [Fact]
    public async Task Be_BadLine_ErrorReplyAndNothingAppended()
    {
        await using var collector = await CompatCollector.StartAsync(Reporter, "127.0.0.1");
        using var exim = EximEnvironment.Create("inet:127.0.0.1:1");

        var result = await exim.ExpandAsync(SeedCall(collector, "black "));

        Assert.Equal("error syntax missing subject\n\n", result.Output);
        Assert.Empty(collector.LogLines());
    }

    [Fact]
    public async Task Be_SourceNotAllowed_NoOkNothingAppendedAndWarned()
    {
        await using var collector = await CompatCollector.StartAsync(Reporter, "127.0.0.2");
        using var exim = EximEnvironment.Create("inet:127.0.0.1:1");

        var result = await exim.ExpandAsync(SeedCall(collector, "black 192.0.2.77"));

        Assert.DoesNotContain("ok", result.Output, StringComparison.Ordinal);
        await collector.WaitForOutputAsync("refused a connection from 127.0.0.1, closed unread");
        Assert.Empty(collector.LogLines());
    }
}
