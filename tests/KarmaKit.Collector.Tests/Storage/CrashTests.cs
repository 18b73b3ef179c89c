using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using KarmaKit.Collector.Tests.Support;

namespace KarmaKit.Collector.Tests.Storage;

/// <summary>issue 3: every batch that got a 200 before a SIGKILL is in karma.log exactly once after the restart.</summary>
public sealed class CrashTests : TempDirectory
{
    private const int Reports = 20;

    [Fact]
    public async Task Sigkill_DuringIngest_EveryAcknowledgedBatchOnceAfterResend()
    {
        var port = CollectorProcess.FreePort();
        var acknowledged = new ConcurrentBag<string>();
        var sent = new ConcurrentBag<string>();
        await KillUnderLoadAsync(port, sent, acknowledged);

        using (var restarted = await CollectorProcess.StartAsync(Dir, port))
        {
            await ResendAsync(restarted, sent, acknowledged);
        }

        AssertEachBatchOnce(sent, acknowledged);
    }

    /// <summary>
    /// The restart after the SIGKILL loads the snapshot the clean stop before wrote, with its batch ids, and reads only
    /// the log after it: the batches acknowledged before the snapshot and those after it are all duplicates.
    /// </summary>
    [Fact]
    public async Task Sigkill_AfterARunThatSavedTheSnapshot_BatchesBeforeAndAfterItDuplicate()
    {
        var port = CollectorProcess.FreePort();
        var acknowledged = new ConcurrentBag<string>();
        var sent = new ConcurrentBag<string>();
        using (var first = await CollectorProcess.StartAsync(Dir, port))
        {
            using var client = Client(first.Url);
            for (var i = 0; i < 30; i++)
            {
                sent.Add($"s-{i}");
                Assert.True((await PostAsync(client, $"s-{i}")).IsSuccessStatusCode);
                acknowledged.Add($"s-{i}");
            }

            first.Stop();
        }

        Assert.True(File.Exists(Path.Combine(Dir, "data", "state.snapshot")));
        await KillUnderLoadAsync(port, sent, acknowledged);

        using (var restarted = await CollectorProcess.StartAsync(Dir, port))
        {
            Assert.Contains(restarted.Output.Split('\n'), line => line.Contains("State snapshot", StringComparison.Ordinal) && line.Contains(" loaded: ", StringComparison.Ordinal));
            await ResendAsync(restarted, sent, acknowledged);
        }

        AssertEachBatchOnce(sent, acknowledged);
    }

    /// <summary>Four posters, a SIGKILL once 150 batches are acknowledged.</summary>
    private async Task KillUnderLoadAsync(int port, ConcurrentBag<string> sent, ConcurrentBag<string> acknowledged)
    {
        var before = acknowledged.Count;
        using var collector = await CollectorProcess.StartAsync(Dir, port);
        using var client = Client(collector.Url);
        using var stop = new CancellationTokenSource();
        var posters = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                var id = $"p{p}-{i}";
                sent.Add(id);
                try
                {
                    if ((await PostAsync(client, id)).IsSuccessStatusCode)
                    {
                        acknowledged.Add(id);
                    }
                }
                catch (HttpRequestException)
                {
                    return; // the collector is gone
                }
            }
        })).ToArray();

        while (acknowledged.Count - before < 150 && !posters.All(t => t.IsCompleted))
        {
            await Task.Delay(5); // let load build up; the kill lands in the middle of it whatever the timing
        }

        collector.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(posters);
    }

    /// <summary>Sends every batch again: each is taken, and an acknowledged one is answered as a duplicate.</summary>
    private static async Task ResendAsync(CollectorProcess collector, ConcurrentBag<string> sent, ConcurrentBag<string> acknowledged)
    {
        using var client = Client(collector.Url);
        foreach (var id in sent.Distinct())
        {
            var response = await PostAsync(client, id);
            Assert.True(response.IsSuccessStatusCode, $"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (acknowledged.Contains(id))
            {
                Assert.Contains("\"duplicate\":true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }

    private void AssertEachBatchOnce(ConcurrentBag<string> sent, ConcurrentBag<string> acknowledged)
    {
        var perBatch = File.ReadLines(Path.Combine(Dir, "log", "karma.log"))
            .Select(l => l.Split(' ').Single(f => f.StartsWith("batch=", StringComparison.Ordinal))[6..])
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.False(acknowledged.IsEmpty, "nothing was acknowledged before the kill");
        Assert.Equal(sent.Distinct().Order(), perBatch.Keys.Order());
        Assert.All(perBatch, kv => Assert.Equal(Reports, kv.Value));
    }

    private static HttpClient Client(Uri url)
    {
        var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestCollector.Token1);
        return client;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string id) =>
        client.PostAsync("v1/batches", new StringContent(Batches.Json(id, Reports), Encoding.UTF8, "application/json"));
}
