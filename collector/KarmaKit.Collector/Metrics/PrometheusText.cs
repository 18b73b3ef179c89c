using System.Globalization;
using System.Text;

namespace KarmaKit.Collector.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: <c># HELP</c> and <c># TYPE</c> before each metric
/// family, then <c>name{label="value"} number</c> lines. HELP text escapes <c>\</c> and newline; label values escape
/// <c>\</c>, <c>"</c> and newline. Numbers: integers as digits, others round-trip, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.
/// </summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);

    public void Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ');
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => _text.Append(@"\\"),
                '\n' => _text.Append(@"\n"),
                _ => _text.Append(c),
            };
        }

        _text.Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, double value) => Sample(name, [], value);

    public void Sample(string name, ReadOnlySpan<(string Name, string Value)> labels, double value)
    {
        _text.Append(name);
        if (!labels.IsEmpty)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"");
                AppendLabelValue(labels[i].Value);
                _text.Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ');
        AppendNumber(value);
        _text.Append('\n');
    }

    /// <summary>A histogram's <c>_bucket</c> lines (cumulative, ending with <c>le="+Inf"</c>), <c>_sum</c> and <c>_count</c>.</summary>
    public void Histogram(string name, Histogram histogram)
    {
        var bounds = histogram.Bounds;
        for (var i = 0; i <= bounds.Length; i++)
        {
            var le = i < bounds.Length ? bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            Sample(name + "_bucket", [("le", le)], histogram.Cumulative(i));
        }

        Sample(name + "_sum", histogram.Sum);
        Sample(name + "_count", histogram.Count);
    }

    public override string ToString() => _text.ToString();

    private void AppendLabelValue(string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => _text.Append(@"\\"),
                '"' => _text.Append("\\\""),
                '\n' => _text.Append(@"\n"),
                _ => _text.Append(c),
            };
        }
    }

    private void AppendNumber(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            _text.Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            _text.Append("-Inf");
        }
        else if (double.IsNaN(value))
        {
            _text.Append("NaN");
        }
        else if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            _text.Append(((long)value).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            _text.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
