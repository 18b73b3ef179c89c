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
        using (var collector = await CollectorProcess.StartAsync(Dir, port))
        {
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

            while (acknowledged.Count < 150 && !posters.All(t => t.IsCompleted))
            {
                await Task.Delay(5); // let load build up; the kill lands in the middle of it whatever the timing
            }

            collector.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(posters);
        }

        using (var restarted = await CollectorProcess.StartAsync(Dir, port))
        {
            using var client = Client(restarted.Url);
            foreach (var id in sent)
            {
                var response = await PostAsync(client, id);
                Assert.True(response.IsSuccessStatusCode, $"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                if (acknowledged.Contains(id))
                {
                    Assert.Contains("\"duplicate\":true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }
            }
        }

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
