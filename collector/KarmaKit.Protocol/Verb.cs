namespace KarmaKit.Protocol;

/// <summary>What a reporter says about a subject.</summary>
public enum Verb : byte
{
    /// <summary>The subject misbehaved (virus, spam, AUTH brute force...).</summary>
    Black = 1,

    /// <summary>The subject is known good.</summary>
    White = 2,
}

/// <summary>Wire spellings of <see cref="Verb"/>.</summary>
public static class Verbs
{
    /// <summary>Lower-case wire name, as used in readsocket lines, batches and karma.log.</summary>
    public static string ToWire(this Verb verb) => verb switch
    {
        Verb.Black => "black",
        Verb.White => "white",
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "unknown verb"),
    };

    /// <summary>Parses a verb case-insensitively from ASCII bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out Verb verb)
    {
        if (text.Length == 5)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(text, "black"u8))
            {
                verb = Verb.Black;
                return true;
            }

            if (System.Text.Ascii.EqualsIgnoreCase(text, "white"u8))
            {
                verb = Verb.White;
                return true;
            }
        }

        verb = default;
        return false;
    }

    /// <summary>Parses a verb case-insensitively.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Verb verb)
    {
        Span<byte> ascii = stackalloc byte[5];
        if (text.Length == 5 && System.Text.Ascii.FromUtf16(text, ascii, out _) == System.Buffers.OperationStatus.Done)
        {
            return TryParse(ascii, out verb);
        }

        verb = default;
        return false;
    }
}
