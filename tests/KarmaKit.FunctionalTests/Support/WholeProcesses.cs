namespace KarmaKit.FunctionalTests.Support;

/// <summary>
/// Tests that run both programs as processes (and Exim) for many seconds: run alone, after the parallel tests, so
/// they neither starve the time-boxed load tests (AgentCrashTests counts what it gets done in its rounds) on a
/// 2-core machine nor get starved by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeProcesses
{
    public const string Name = "Whole processes";
}
