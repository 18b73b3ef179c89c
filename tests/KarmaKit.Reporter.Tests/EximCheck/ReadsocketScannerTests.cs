using KarmaKit.Reporter.EximCheck;

namespace KarmaKit.Reporter.Tests.EximCheck;

/// <summary>Finding readsocket items in <c>exim -bP config</c> output, and what each call says about itself.</summary>
public sealed class ReadsocketScannerTests
{
    [Fact]
    public void Scan_KitCall_ArgumentsTimeoutAndFailString()
    {
        const string config = "kk_report:\n  warn    set acl_m_kk_answer = ${readsocket{/run/karmakit/reporter.sock}"
            + @"{$acl_arg1 $sender_host_address ${substr{0}{180}{${sg{$acl_arg2}{[^ -~]}{?}}}}\n}{1s}{ }{KKFAIL}}" + "\n  accept\n";

        var call = Assert.Single(ReadsocketScanner.Scan(config));

        Assert.Equal(2, call.Line);
        Assert.Equal("/run/karmakit/reporter.sock", call.Name);
        Assert.Equal(@"$acl_arg1 $sender_host_address ${substr{0}{180}{${sg{$acl_arg2}{[^ -~]}{?}}}}\n", call.Arguments[1]);
        Assert.Equal("1s", call.Timeout);
        Assert.Equal(" ", call.Arguments[3]);
        Assert.True(call.HasFailString);
    }

    [Fact]
    public void Scan_SeedOneLiner_NoOptionsNoFailString()
    {
        var call = Assert.Single(ReadsocketScanner.Scan(@"  warn set acl_m0 = ${readsocket{inet:127.0.0.1:4444}{black $sender_host_address\n}}"));

        Assert.Equal("inet:127.0.0.1:4444", call.Name);
        Assert.Null(call.Timeout);
        Assert.False(call.HasFailString);
    }

    [Fact]
    public void Scan_FourArguments_NoFailString()
    {
        var call = Assert.Single(ReadsocketScanner.Scan(@"x = ${readsocket{/s}{black 1.2.3.4\n}{1s}{ }}"));

        Assert.Equal("1s", call.Timeout);
        Assert.False(call.HasFailString);
    }

    [Theory]
    [InlineData("{10s:shutdown=no}", "10s")] // an Exim list: colons by default (bug fix: it was split at commas, a false "no timeout" problem)
    [InlineData("{2s:cache=yes}", "2s")]
    [InlineData("{<;3s;shutdown=no}", "3s")]
    [InlineData("{<, 4s , tls=no}", "4s")]
    [InlineData("{ 1s }", "1s")]
    [InlineData("{500ms}", "500ms")]
    [InlineData("{}", "")]
    public void Timeout_OptionsList_FirstElement(string options, string expected)
    {
        var call = Assert.Single(ReadsocketScanner.Scan("${readsocket{/s}{r}" + options + "{ }{F}}"));

        Assert.Equal(expected, call.Timeout);
    }

    [Fact]
    public void Scan_EscapedBracesAndNesting_ArgumentsKeptWhole()
    {
        var call = Assert.Single(ReadsocketScanner.Scan(@"${readsocket{${if def:acl_m_s{$acl_m_s}{/s}}}{a \} b \{ c}{1s}{ }{F}}"));

        Assert.Equal("${if def:acl_m_s{$acl_m_s}{/s}}", call.Name);
        Assert.Equal(@"a \} b \{ c", call.Arguments[1]);
        Assert.Equal(5, call.Arguments.Count);
    }

    [Fact]
    public void Scan_SeveralCallsOnSeveralLines_AllWithLineNumbers()
    {
        const string config = "a = ${readsocket{/one}{x}{1s}{ }{F}} ${readsocket{/two}{y}{2s}{ }{F}}\nb = 1\nc = ${readsocket {/three}{z}}\n";

        var calls = ReadsocketScanner.Scan(config);

        Assert.Equal([(1, "/one"), (1, "/two"), (3, "/three")], calls.Select(c => (c.Line, c.Name)));
    }

    [Fact]
    public void Scan_UnbalancedBraces_WholeArgumentsOnly()
    {
        var call = Assert.Single(ReadsocketScanner.Scan("${readsocket{/s}{black 1.2.3.4"));

        Assert.Equal(["/s"], call.Arguments);
        Assert.False(call.HasFailString);
    }

    [Fact]
    public void Scan_NoReadsocket_Empty() => Assert.Empty(ReadsocketScanner.Scan("acl_smtp_rcpt = acl_rcpt\n${readfile{/etc/x}}\n"));
}
