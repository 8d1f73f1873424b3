using Microsoft.AspNetCore.Components;
using QRCoder;

namespace Linli.Web.Features.Access;

/// <summary>A QR code drawn on the server as SVG (QRCoder), sized by its container: large enough for a reader at arm's length.</summary>
public static class QrCodes
{
    public static MarkupString Svg(string text)
    {
        using var generator = new QRCodeGenerator();
        // Medium error correction: a phone screen with a crack or glare still reads.
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(8, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        return new MarkupString(svg);
    }
}
