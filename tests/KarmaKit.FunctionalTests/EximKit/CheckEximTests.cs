using KarmaKit.FunctionalTests.Exim;
using KarmaKit.FunctionalTests.Support;

namespace KarmaKit.FunctionalTests.EximKit;

/// <summary>
/// The real <c>karmakit-reporter check-exim --exim-config FILE</c> against the kit's configuration: a good one passes
/// (exit 0), and each planted mistake is found (exit 1, a <c>problem</c> line that names it). Runs as root, so the
/// checker probes the agent as the Exim user, as Exim connects at SMTP time.
/// </summary>
public sealed class CheckEximTests
{
    private const string NoFailStringAcl = """
        kk_extra_report:
          warn    set acl_m_extra = ${readsocket{KK_SOCK}{black $sender_host_address\n}{1s}}
          accept

        """;

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task CheckExim_GoodKitConfigAgentRunning_NoProblems(string transport)
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(transport == "tcp" ? agent.TcpSocket : agent.UnixSocket, new KitOptions { Timeout = "1s" });

        var result = await RunCheckAsync(exim.ConfigPath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no problems found", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("problem  ", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("1.5s")]
    [InlineData("0s")]
    [InlineData("1")]
    public async Task CheckExim_TimeoutEximIgnores_Problem(string timeout)
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket, new KitOptions { Timeout = timeout });

        var result = await RunCheckAsync(exim.ConfigPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        AssertProblem(result, $"has timeout \"{timeout}\", which Exim 4.96 silently reads as no timeout at all");
    }

    [Fact]
    public async Task CheckExim_ReadsocketWithoutFailString_Problem()
    {
        await using var agent = await AgentUnderTest.StartAsync();
        using var exim = KitConfig.CreateEnvironment(agent.TcpSocket, new KitOptions { Timeout = "1s", ExtraAcl = NoFailStringAcl });

        var result = await RunCheckAsync(exim.ConfigPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        var problem = AssertProblem(result, "has no fail string");
        Assert.Contains($"readsocket to {agent.TcpSocket}", problem, StringComparison.Ordinal);
        Assert.Single(result.Lines, l => l.StartsWith("problem  ", StringComparison.Ordinal)); // the kit's own call is fine
    }

    [Fact]
    public async Task CheckExim_AgentDown_Problem()
    {
        using var refusing = new RefusingPort(); // nothing listens there, and nothing else can take the port
        var socket = refusing.ReadsocketName;
        using var exim = KitConfig.CreateEnvironment(socket, new KitOptions { Timeout = "1s" });

        var result = await RunCheckAsync(exim.ConfigPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        AssertProblem(result, $"the agent at {socket} is unreachable for the Exim user Debian-exim");
    }

    [Fact]
    public async Task CheckExim_UnixSocketOwnerOnly_ProblemForEximUser()
    {
        await using var agent = await AgentUnderTest.StartAsync(unixSocketMode: "0600", unixSocketGroup: "");
        using var exim = KitConfig.CreateEnvironment(agent.UnixSocket, new KitOptions { Timeout = "1s" });

        var result = await RunCheckAsync(exim.ConfigPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        var problem = AssertProblem(result, $"the Exim user Debian-exim may not connect to {agent.UnixSocket}");
        Assert.Contains("mode 600", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckExim_ConfigEximRefuses_Problem()
    {
        using var exim = KitConfig.CreateEnvironment("inet:127.0.0.1:9", new KitOptions { ExtraMain = "no_such_option_at_all = 1" });

        var result = await RunCheckAsync(exim.ConfigPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        var problem = AssertProblem(result, "Exim refuses the configuration (exim -bV)");
        Assert.Contains("no_such_option_at_all", problem, StringComparison.Ordinal);
    }

    private static string AssertProblem(ProcessResult result, string text) =>
        Assert.Single(result.Lines, l => l.StartsWith("problem  ", StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal));

    private static Task<ProcessResult> RunCheckAsync(string config) =>
        ProcessRunner.RunAsync(Binaries.Reporter, "check-exim", "--exim-config", config);
}
