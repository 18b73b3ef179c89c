namespace KarmaKit.Protocol.Lines;

/// <summary>Why a readsocket line was refused. Each maps to one <c>error CODE TEXT</c> reply.</summary>
public enum LineError : byte
{
    None = 0,
    Empty,
    UnknownVerb,
    MissingSubject,
    InvalidSubject,
    UnspecifiedSubject,
    ReasonTooLong,
    ControlCharacter,
    InvalidUtf8,
    LineTooLong,
}

/// <summary>The reply text for each <see cref="LineError"/>: <c>CODE TEXT</c>, ASCII, no newline.</summary>
public static class LineErrors
{
    /// <summary>The code and text that follow <c>error </c> in the reply line.</summary>
    public static ReadOnlySpan<byte> Describe(LineError error) => error switch
    {
        LineError.Empty => "syntax empty line"u8,
        LineError.UnknownVerb => "syntax unknown verb (expected black or white)"u8,
        LineError.MissingSubject => "syntax missing subject"u8,
        LineError.InvalidSubject => "subject not an IPv4 or IPv6 address"u8,
        LineError.UnspecifiedSubject => "subject unspecified address"u8,
        LineError.ReasonTooLong => "reason longer than 200 bytes"u8,
        LineError.ControlCharacter => "syntax control character in line"u8,
        LineError.InvalidUtf8 => "syntax invalid UTF-8"u8,
        LineError.LineTooLong => "too-long line longer than the limit"u8,
        _ => "syntax"u8,
    };
}
