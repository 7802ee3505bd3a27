namespace AotPipe.Configuration;

/// <summary>How a setting's text is parsed and shown.</summary>
public enum SettingKind
{
    /// <summary>Free text.</summary>
    Text,

    /// <summary>Free text that is masked wherever settings are shown and may be given as <c>encrypted:...</c>.</summary>
    Secret,

    /// <summary><c>true</c>/<c>false</c>/<c>1</c>/<c>0</c>, any case.</summary>
    Boolean,

    /// <summary>A whole number inside the setting's range.</summary>
    Integer,

    /// <summary>A decimal number inside the setting's range.</summary>
    Number,

    /// <summary>One of a fixed list of words, any case.</summary>
    Choice,
}
