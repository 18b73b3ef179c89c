using System.Diagnostics;

namespace KarmaKit.Reporter.Tests.Listener;

internal static class TestWait
{
    /// <summary>Polls a condition that the server reaches on its own (a connection accepted, one closed).</summary>
    public static async Task UntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < ReadsocketClient.Guard, "condition not reached");
            await Task.Delay(5);
        }
    }
}
