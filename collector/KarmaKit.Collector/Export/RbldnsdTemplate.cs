using System.Text;

namespace KarmaKit.Collector.Export;

/// <summary>
/// <c>Collector:Dns:TxtTemplate</c> (with <c>{url}</c> expanded) as an rbldnsd base template (<c>$=</c> line):
/// <c>{reason}</c> becomes <c>$=</c> (the entry's own text, copied as it is), <c>{address}</c> becomes <c>$</c> (the
/// queried IPv4 address, which for a single address is the entry), a literal <c>$</c> becomes <c>$$</c>. IPv4
/// entries then carry only their reason, once per group (<c>:127.0.0.3:virus Eicar</c> then one address a line), so
/// the ip4set is about as small as a hand-written one. Null when rbldnsd would not keep the template as it is
/// (white space at either end, a line break, <c>{address}</c> right before '=', '$', a digit or <c>{reason}</c>, which
/// rbldnsd would read as <c>$=</c>, <c>$$</c>, <c>$1</c>): every entry is then written with its literal text.
/// </summary>
internal sealed class RbldnsdTemplate
{
    private RbldnsdTemplate(string line, int fixedBytes, int reasons, int addresses)
    {
        Line = line;
        FixedBytes = fixedBytes;
        Reasons = reasons;
        Addresses = addresses;
    }

    /// <summary>The whole <c>$= ...</c> line with its line break.</summary>
    public string Line { get; }

    /// <summary>UTF-8 bytes of the template's literal parts.</summary>
    public int FixedBytes { get; }

    /// <summary>How many times <c>{reason}</c> appears.</summary>
    public int Reasons { get; }

    /// <summary>How many times <c>{address}</c> appears.</summary>
    public int Addresses { get; }

    public static RbldnsdTemplate? Create(string txtTemplate, string lookupUrl)
    {
        // The same scan as TxtTemplate.Compile, so the fields are found where the server finds them.
        var text = txtTemplate.Replace("{url}", lookupUrl, StringComparison.Ordinal);
        var line = new StringBuilder("$= ");
        var literal = new StringBuilder();
        int reasons = 0, addresses = 0;
        var kept = true;
        for (var i = 0; i < text.Length; i++)
        {
            if (string.CompareOrdinal(text, i, "{reason}", 0, 8) == 0)
            {
                line.Append("$=");
                reasons++;
                i += 7;
            }
            else if (string.CompareOrdinal(text, i, "{address}", 0, 9) == 0)
            {
                line.Append('$');
                addresses++;
                i += 8;
                var next = i + 1 < text.Length ? text[i + 1] : ' ';
                kept &= next is not ('=' or '$' or (>= '0' and <= '9')) 
                    && string.CompareOrdinal(text, i + 1, "{reason}", 0, 8) != 0 && string.CompareOrdinal(text, i + 1, "{address}", 0, 9) != 0; // read as '$=', '$$', '$1'

            }
            else
            {
                line.Append(text[i] == '$' ? "$$" : text[i..(i + 1)]);
                literal.Append(text[i]);
            }
        }

        var fixedBytes = Encoding.UTF8.GetByteCount(literal.ToString());
        kept &= text.Length > 0 && text[0] is not (' ' or '\t') && text[^1] is not (' ' or '\t') && text.IndexOfAny(['\n', '\r', '\0']) < 0;
        return kept ? new RbldnsdTemplate(line.Append('\n').ToString(), fixedBytes, reasons, addresses) : null;
    }

    /// <summary>
    /// Whether rbldnsd gives back <paramref name="reason"/> as it is in a default line (<c>:CODE:REASON</c>): not empty,
    /// not starting with white space, '#' or '=', not ending in white space, no line break.
    /// </summary>
    public static bool Keeps(string reason) =>
        reason.Length > 0 && reason[0] is not (' ' or '\t' or '#' or '=') && reason[^1] is not (' ' or '\t') && reason.IndexOfAny(['\n', '\r', '\0']) < 0;

    /// <summary>The TXT length for a reason of <paramref name="reasonBytes"/> and an address of <paramref name="addressBytes"/>, uncut.</summary>
    public int Length(int reasonBytes, int addressBytes) => FixedBytes + (Reasons * reasonBytes) + (Addresses * addressBytes);
}
