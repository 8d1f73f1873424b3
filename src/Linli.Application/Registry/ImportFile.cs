using System.Globalization;
using System.Text;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using System.Xml;
using Linli.Domain.Common;

namespace Linli.Application.Registry;

/// <summary>One data row as the user sees it: <see cref="Number"/> is the row number in the file (the header is row 1).</summary>
public sealed record ImportRow(int Number, string[] Cells);

/// <summary>A file read into memory: its header texts, the column each header means, and the non-empty rows.</summary>
public sealed record ImportTable(IReadOnlyList<string> Headers, IReadOnlyList<ImportColumn> Columns, IReadOnlyList<ImportRow> Rows)
{
    /// <summary>The cell of a column, "" when the file has no such column or the row is short.</summary>
    public string Cell(ImportRow row, string key)
    {
        ArgumentNullException.ThrowIfNull(row);
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i].Key == key) return i < row.Cells.Length ? row.Cells[i].Trim() : "";
        return "";
    }

    /// <summary>The header as written in the file, or the template's header when the column is missing.</summary>
    public string HeaderOf(string key)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i].Key == key) return Headers[i];
        return Columns.Concat(ImportColumns.Residents).Concat(ImportColumns.Rooms).FirstOrDefault(c => c.Key == key)?.TemplateHeader ?? key;
    }
}

/// <summary>
/// Reads an uploaded CSV or .xlsx file into an <see cref="ImportTable"/>. The format is decided by the content, not the
/// name; anything that is neither is refused naming the <c>file</c> field. The xlsx path streams the sheet (SAX) so a
/// 100,000-row workbook does not build a DOM.
/// </summary>
public static class ImportFile
{
    public const long MaxBytes = 20 * 1024 * 1024;
    public const int MaxRows = 100_000;
    public const string Field = "file";

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ImportTable Read(ImportKind kind, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0) throw new DomainException("The file is empty.", Field);
        if (content.Length > MaxBytes) throw new DomainException($"The file is larger than {MaxBytes / 1024 / 1024} MB.", Field);
        List<string[]> raw;
        List<int> numbers;
        if (content.AsSpan().StartsWith("PK\u0003\u0004"u8)) (raw, numbers) = ReadXlsx(content);
        else if (content.AsSpan().StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 }))
            throw new DomainException("Old Excel .xls files are not supported: save the file as .xlsx or CSV.", Field);
        else (raw, numbers) = ReadCsv(content);
        return Shape(kind, raw, numbers);
    }

    static ImportTable Shape(ImportKind kind, List<string[]> raw, List<int> numbers)
    {
        var headerAt = raw.FindIndex(r => r.Any(c => !string.IsNullOrWhiteSpace(c)));
        if (headerAt < 0) throw new DomainException("The file has no header row.", Field);
        var header = raw[headerAt];
        var width = header.Length;
        while (width > 0 && string.IsNullOrWhiteSpace(header[width - 1])) width--;
        var headers = new List<string>();
        var columns = new List<ImportColumn>();
        for (var i = 0; i < width; i++)
        {
            var text = header[i].Trim();
            if (text.Length == 0) throw new DomainException($"Column {ColumnLetters(i)} has no header.", Field);
            var column = ImportColumns.Match(kind, text)
                ?? throw new DomainException($"Unknown column '{text}'. Expected: {string.Join(", ", ImportColumns.For(kind).Select(c => c.TemplateHeader))}.", text);
            if (columns.Contains(column)) throw new DomainException($"Column '{text}' appears twice.", text);
            headers.Add(text);
            columns.Add(column);
        }
        foreach (var required in ImportColumns.For(kind).Where(c => c.Required && !columns.Contains(c)))
            throw new DomainException($"The file has no '{required.TemplateHeader}' column.", required.Key);

        var rows = new List<ImportRow>();
        for (var r = headerAt + 1; r < raw.Count; r++)
        {
            var cells = raw[r];
            if (cells.All(string.IsNullOrWhiteSpace)) continue;
            if (rows.Count == MaxRows) throw new DomainException($"The file has more than {MaxRows:N0} rows; split it into smaller files.", Field);
            if (cells.Length < width) Array.Resize(ref cells, width);
            for (var i = 0; i < cells.Length; i++) cells[i] ??= "";
            rows.Add(new ImportRow(numbers[r], cells));
        }
        if (rows.Count == 0) throw new DomainException("The file has a header but no rows.", Field);
        return new ImportTable(headers, columns, rows);
    }

    static (List<string[]>, List<int>) ReadCsv(byte[] content)
    {
        var text = Decode(content);
        foreach (var c in text)
            if (char.IsControl(c) && c is not ('\r' or '\n' or '\t'))
                throw new DomainException("The file is neither CSV text nor an .xlsx workbook.", Field);
        var delimiter = GuessDelimiter(text);
        var options = new CsvReaderOptions
        {
            HasHeader = false, Separator = delimiter, SkipEmptyLines = false, FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Throw, AllowLineBreaksInQuotes = true, TrackLineNumbers = true,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        var rows = new List<string[]>();
        var numbers = new List<int>();
        using var reader = CsvReader.FromText(text, options);
        try
        {
            while (reader.Read())
            {
                rows.Add(reader.Current.ToArray());
                numbers.Add((int)reader.RowNumber);
                if (rows.Count > MaxRows + 1 + 1000) break; // header and some blank lines; Shape gives the message
            }
        }
        catch (CsvFormatException e)
        {
            throw new DomainException($"The CSV file cannot be read near line {reader.LineNumber}: {e.Message.Split('\n')[0]}", Field);
        }
        return (rows, numbers);
    }

    /// <summary>UTF-8 (with or without BOM) first; Excel on Chinese Windows saves "CSV" as GB18030, so that is the fallback.</summary>
    static string Decode(byte[] content)
    {
        if (content.AsSpan().IndexOf((byte)0) >= 0) throw new DomainException("The file is neither CSV text nor an .xlsx workbook.", Field);
        var span = content.AsSpan();
        if (span.StartsWith("\uFEFF"u8)) span = span[3..];
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GB18030").GetString(span);
        }
    }

    static char GuessDelimiter(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var first = end < 0 ? text : text[..end];
        return first.Count(c => c == '\t') > first.Count(c => c == ',') ? '\t' : first.Count(c => c == ';') > first.Count(c => c == ',') ? ';' : ',';
    }

    static (List<string[]>, List<int>) ReadXlsx(byte[] content)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using var document = SpreadsheetDocument.Open(stream, false);
            var workbook = document.WorkbookPart ?? throw new DomainException("The workbook has no sheets.", Field);
            var sheet = workbook.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new DomainException("The workbook has no sheets.", Field);
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
            var strings = SharedStrings(workbook);
            var dateStyles = DateStyles(workbook);
            return ReadSheet(part, strings, dateStyles);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or FileFormatException or InvalidOperationException
            or System.Xml.XmlException or KeyNotFoundException or ArgumentException)
        {
            throw new DomainException("The file is not a readable .xlsx workbook.", Field);
        }
    }

    // The SDK opens the package and finds the parts; the sheet and shared strings are then read with a plain XmlReader,
    // which is several times faster than OpenXmlReader for 100,000-row sheets (no element objects per cell).
    static XmlReader Xml(OpenXmlPart part) =>
        XmlReader.Create(part.GetStream(FileMode.Open, FileAccess.Read),
            new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, CloseInput = true });

    static (List<string[]>, List<int>) ReadSheet(WorksheetPart part, List<string> strings, HashSet<uint> dateStyles)
    {
        var rows = new List<string[]>();
        var numbers = new List<int>();
        var cells = new List<string>();
        var rowNumber = 0;
        using var xml = Xml(part);
        while (xml.Read())
        {
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "row")
            {
                rowNumber = int.TryParse(xml.GetAttribute("r"), CultureInfo.InvariantCulture, out var r) ? r : rowNumber + 1;
                cells.Clear();
                if (xml.IsEmptyElement) { rows.Add([]); numbers.Add(rowNumber); }
            }
            else if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "row")
            {
                rows.Add([.. cells]);
                numbers.Add(rowNumber);
                if (rows.Count > MaxRows + 1 + 1000) break;
            }
            else if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "c")
            {
                var reference = xml.GetAttribute("r");
                var type = xml.GetAttribute("t");
                uint? style = uint.TryParse(xml.GetAttribute("s"), CultureInfo.InvariantCulture, out var st) ? st : null;
                var raw = xml.IsEmptyElement ? "" : ReadText(xml, "c");
                var index = reference is not null ? ColumnIndex(reference) : cells.Count;
                while (cells.Count < index) cells.Add("");
                var value = CellText(type, style, raw, strings, dateStyles);
                if (index < cells.Count) cells[index] = value;
                else cells.Add(value);
            }
        }
        return (rows, numbers);
    }

    static string CellText(string? type, uint? style, string raw, List<string> strings, HashSet<uint> dateStyles)
    {
        switch (type)
        {
            case "s": return int.TryParse(raw, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < strings.Count ? strings[i] : "";
            case "b": return raw == "1" ? "TRUE" : "FALSE";
            case null or "n":
                if (style is { } s && dateStyles.Contains(s)
                    && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) && serial is > 0 and < 2958466)
                    return DateOnly.FromDateTime(DateTime.FromOADate(serial)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return raw;
            default: return raw; // inlineStr, str (formula result), e (error)
        }
    }

    /// <summary>
    /// The text inside the current element (a cell's value or inline string, or a shared string item), up to its end;
    /// phonetic guides (rPh), which Chinese Excel adds to names, are left out.
    /// </summary>
    static string ReadText(XmlReader xml, string element)
    {
        string? single = null;
        StringBuilder? many = null;
        var phonetic = 0;
        // ReadElementContentAsString already moves to the next node, which must be looked at before reading on.
        var positioned = false;
        while (positioned || xml.Read())
        {
            positioned = false;
            if (xml.NodeType == XmlNodeType.EndElement)
            {
                if (xml.LocalName == element) break;
                if (xml.LocalName == "rPh") phonetic--;
            }
            else if (xml.NodeType == XmlNodeType.Element)
            {
                if (xml.LocalName == "rPh" && !xml.IsEmptyElement) phonetic++;
                else if (phonetic == 0 && xml.LocalName is "v" or "t" && !xml.IsEmptyElement)
                {
                    var text = xml.ReadElementContentAsString();
                    if (single is null) single = text;
                    else (many ??= new StringBuilder(single)).Append(text);
                    positioned = true;
                }
            }
        }
        return many?.ToString() ?? single ?? "";
    }

    static List<string> SharedStrings(WorkbookPart workbook)
    {
        var list = new List<string>();
        if (workbook.SharedStringTablePart is not { } part) return list;
        using var xml = Xml(part);
        while (xml.Read())
            if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "si")
                list.Add(xml.IsEmptyElement ? "" : ReadText(xml, "si"));
        return list;
    }

    /// <summary>Cell styles whose number format shows a date: Excel stores dates as day numbers, told apart only by the style.</summary>
    static HashSet<uint> DateStyles(WorkbookPart workbook)
    {
        var result = new HashSet<uint>();
        var stylesheet = workbook.WorkbookStylesPart?.Stylesheet;
        if (stylesheet?.CellFormats is null) return result;
        var custom = stylesheet.NumberingFormats?.Elements<NumberingFormat>()
            .Where(f => f.NumberFormatId?.Value is not null)
            .ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode?.Value ?? "") ?? [];
        uint index = 0;
        foreach (var format in stylesheet.CellFormats.Elements<CellFormat>())
        {
            var id = format.NumberFormatId?.Value ?? 0;
            if (id is >= 14 and <= 17 or 22 or >= 27 and <= 36 or >= 50 and <= 58
                || (custom.TryGetValue(id, out var code) && LooksLikeDate(code)))
                result.Add(index);
            index++;
        }
        return result;
    }

    static bool LooksLikeDate(string code)
    {
        var plain = new StringBuilder();
        var (quoted, bracket) = (false, false);
        foreach (var c in code)
        {
            if (c == '"') quoted = !quoted;
            else if (c == '[') bracket = true;
            else if (c == ']') bracket = false;
            else if (!quoted && !bracket) plain.Append(c);
        }
        var s = plain.ToString().ToLowerInvariant();
        return s.Contains('y', StringComparison.Ordinal) || s.Contains('d', StringComparison.Ordinal);
    }

    /// <summary>"C12" → 2.</summary>
    static int ColumnIndex(string reference)
    {
        var n = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetter(c)) break;
            n = n * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        }
        return n - 1;
    }

    public static string ColumnLetters(int index)
    {
        var s = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) s = (char)('A' + (n - 1) % 26) + s;
        return s;
    }
}
