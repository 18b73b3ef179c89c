using KarmaKit.Collector.Metrics;

namespace KarmaKit.Collector.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Family_HelpWithBackslashAndNewline_Escaped()
    {
        var sut = new PrometheusText();

        sut.Family("kk_x_total", "counter", "a \\ b\nc \"q\"");

        Assert.Equal("# HELP kk_x_total a \\\\ b\\nc \"q\"\n# TYPE kk_x_total counter\n", sut.ToString());
    }

    [Fact]
    public void Sample_LabelValueWithQuoteBackslashNewline_Escaped()
    {
        var sut = new PrometheusText();

        sut.Sample("kk_x_total", [("reporter", "a\"b\\c\nd"), ("verb", "black")], 3);

        Assert.Equal("kk_x_total{reporter=\"a\\\"b\\\\c\\nd\",verb=\"black\"} 3\n", sut.ToString());
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(12345678901, "12345678901")]
    [InlineData(0.25, "0.25")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Sample_Numbers_InTheExpositionForm(double value, string expected)
    {
        var sut = new PrometheusText();

        sut.Sample("kk_g", value);

        Assert.Equal($"kk_g {expected}\n", sut.ToString());
    }

    [Fact]
    public void Histogram_Buckets_CumulativeWithInfSumAndCount()
    {
        var histogram = new Histogram(0.5, 1);
        foreach (var value in new[] { 0.1, 0.5, 0.7, 3 })
        {
            histogram.Observe(value);
        }

        var sut = new PrometheusText();
        sut.Histogram("kk_h", histogram);

        Assert.Equal(
            "kk_h_bucket{le=\"0.5\"} 2\nkk_h_bucket{le=\"1\"} 3\nkk_h_bucket{le=\"+Inf\"} 4\nkk_h_sum 4.3\nkk_h_count 4\n",
            sut.ToString());
    }
}
