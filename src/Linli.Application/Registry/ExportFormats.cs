using System.Globalization;
using System.Text;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Linli.Application.Registry;

/// <summary>The two file formats of imports, templates, error reports and exports.</summary>
public enum TableFormat { Csv, Xlsx }

/// <summary>Writes a table row by row as CSV or .xlsx; templates, error reports and exports all go through here.</summary>
public abstract class TableWriter : IDisposable
{
    public static readonly Encoding Utf8WithBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    public static bool TryParseFormat(string? extension, out TableFormat format)
    {
        format = TableFormat.Csv;
        switch (extension?.ToLowerInvariant())
        {
            case "csv": return true;
            case "xlsx": format = TableFormat.Xlsx; return true;
            default: return false;
        }
    }

    public static string ContentType(TableFormat format) =>
        format == TableFormat.Csv ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static string Extension(TableFormat format) => format == TableFormat.Csv ? "csv" : "xlsx";

    /// <param name="textColumns">Formats every column as text, so Excel keeps the 18 digits of an ID card number typed into a template.</param>
    public static TableWriter Create(TableFormat format, Stream output, string sheetName, IReadOnlyList<string> headers, bool textColumns = false) =>
        format == TableFormat.Csv ? new CsvTableWriter(output, headers) : new XlsxTableWriter(output, sheetName, headers, textColumns);

    /// <summary>Cells are strings or numbers; null is an empty cell.</summary>
    public abstract void WriteRow(IReadOnlyList<object?> cells);

    public abstract void Flush();

    protected virtual void Dispose(bool disposing) { }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>A whole table into memory: for templates and error reports, which are small.</summary>
    public static byte[] ToBytes(TableFormat format, string sheetName, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows, bool textColumns = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var buffer = new MemoryStream();
        using (var writer = Create(format, buffer, sheetName, headers, textColumns))
        {
            foreach (var row in rows) writer.WriteRow(row);
        }
        return buffer.ToArray();
    }
}

/// <summary>UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; cells that Excel would run as formulas are escaped.</summary>
sealed class CsvTableWriter : TableWriter
{
    readonly StreamWriter _text;
    readonly CsvWriter _csv;

    public CsvTableWriter(Stream output, IReadOnlyList<string> headers)
    {
        _text = new StreamWriter(output, Utf8WithBom, bufferSize: 64 * 1024, leaveOpen: true);
        _csv = CsvWriter.Create(_text, new CsvWriterOptions { Injection = CsvInjection.Escape, FormatProvider = CultureInfo.InvariantCulture, NewLine = "\r\n" }, true);
        foreach (var h in headers) _csv.WriteField(h);
        _csv.EndRecord();
    }

    public override void WriteRow(IReadOnlyList<object?> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        foreach (var cell in cells) _csv.WriteField(Format(cell));
        _csv.EndRecord();
    }

    static string Format(object? cell) => cell switch
    {
        null => "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    public override void Flush()
    {
        _csv.Flush();
        _text.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _csv.Dispose();
            _text.Dispose();
        }
    }
}

/// <summary>
/// One sheet written with the SAX-style <see cref="OpenXmlWriter"/> and inline strings, so memory stays flat however many
/// rows; a bold header row and fixed column widths keep it readable when opened.
/// </summary>
sealed class XlsxTableWriter : TableWriter
{
    const uint TextStyle = 1, HeaderStyle = 2;
    readonly SpreadsheetDocument _document;
    readonly OpenXmlWriter _writer;
    readonly bool _textColumns;
    uint _row;

    public XlsxTableWriter(Stream output, string sheetName, IReadOnlyList<string> headers, bool textColumns)
    {
        _textColumns = textColumns;
        _document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbook = _document.AddWorkbookPart();
        var styles = workbook.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = Stylesheet();
        styles.Stylesheet.Save();
        var sheet = workbook.AddNewPart<WorksheetPart>();
        workbook.Workbook = new Workbook(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = sheetName }));
        workbook.Workbook.Save();

        _writer = OpenXmlWriter.Create(sheet);
        _writer.WriteStartElement(new Worksheet());
        var column = new Column { Min = 1, Max = (uint)Math.Max(1, headers.Count), Width = 18, CustomWidth = true };
        if (textColumns) column.Style = TextStyle;
        _writer.WriteElement(new Columns(column));
        _writer.WriteStartElement(new SheetData());
        WriteCells(headers.Cast<object?>().ToList(), HeaderStyle);
    }

    public override void WriteRow(IReadOnlyList<object?> cells) => WriteCells(cells, _textColumns ? TextStyle : 0);

    void WriteCells(IReadOnlyList<object?> cells, uint style)
    {
        ArgumentNullException.ThrowIfNull(cells);
        _row++;
        _writer.WriteStartElement(new Row(), [new OpenXmlAttribute("r", "", _row.ToString(CultureInfo.InvariantCulture))]);
        for (var i = 0; i < cells.Count; i++)
        {
            var reference = ImportFile.ColumnLetters(i) + _row.ToString(CultureInfo.InvariantCulture);
            List<OpenXmlAttribute> attributes = [new("r", "", reference)];
            if (style != 0) attributes.Add(new("s", "", style.ToString(CultureInfo.InvariantCulture)));
            switch (cells[i])
            {
                case null:
                    break;
                case int or long or decimal or double:
                    _writer.WriteStartElement(new Cell(), attributes);
                    _writer.WriteElement(new CellValue(((IFormattable)cells[i]!).ToString(null, CultureInfo.InvariantCulture)));
                    _writer.WriteEndElement();
                    break;
                case var value:
                    attributes.Add(new("t", "", "inlineStr"));
                    _writer.WriteStartElement(new Cell(), attributes);
                    _writer.WriteElement(new InlineString(new Text(XmlSafe(value.ToString() ?? "")) { Space = SpaceProcessingModeValues.Preserve }));
                    _writer.WriteEndElement();
                    break;
            }
        }
        _writer.WriteEndElement();
    }

    /// <summary>XML cannot carry most control characters; a stray one in a name must not break the whole file.</summary>
    static string XmlSafe(string s)
    {
        foreach (var c in s)
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                return new string(s.Where(ch => !char.IsControl(ch) || ch is '\t' or '\n' or '\r').ToArray());
        return s;
    }

    static Stylesheet Stylesheet() => new(
        new Fonts(new Font(), new Font(new Bold())),
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
        new Borders(new Border()),
        new CellFormats(
            new CellFormat(),
            new CellFormat { NumberFormatId = 49, ApplyNumberFormat = true },
            new CellFormat { FontId = 1, ApplyFont = true, NumberFormatId = 49, ApplyNumberFormat = true }));

    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _writer.WriteEndElement(); // SheetData
        _writer.WriteEndElement(); // Worksheet
        _writer.Close();
        _writer.Dispose();
        _document.Dispose();
    }
}
