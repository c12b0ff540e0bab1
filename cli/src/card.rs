//! The wallet card: drawn once, as SVG, at ID-1 size (85.6 × 54 mm), and rendered to
//! PNG (300 dpi, by resvg) and to a print-ready PDF (by svg2pdf) from that same SVG,
//! so all three look alike. The text is set in DejaVu Sans, embedded in the binary,
//! never a system font, so a card looks the same on every machine.
//!
//! Layout is in tenths of a millimetre. Text is measured with the font's own advance
//! widths, so lines break between words where they must and names shrink before they
//! would ever be cut inside a word. Every string comes from a credential, so each is
//! made printable and XML-escaped before it enters the SVG.

use anyhow::{Context, Result};
use probity_spec::model::{self, CredentialKind};
use probity_spec::text::printable;
use serde_json::Value;
use std::fmt::Write;

const REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");
const FAMILY: &str = "DejaVu Sans";

/// Card size in tenths of a millimetre (ISO/IEC 7810 ID-1).
const WIDTH: f32 = 856.0;
const HEIGHT: f32 = 540.0;
/// The QR code's side, quiet zone included: 40 mm scans from print and from a screen.
const QR_SIDE: f32 = 400.0;
const MARGIN: f32 = 24.0;
const BAND: f32 = 86.0;
const LEFT: f32 = 36.0;
/// PNG resolution: 300 dots per inch.
const PNG_DPI: f32 = 300.0;

const INK: &str = "#1a1a1a";
const MUTED: &str = "#555555";
const ACCENT: &str = "#1f3a8a";

/// What the card says, read from the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardText {
    /// The issuer's name, or a plain statement that the credential names none.
    pub issuer: String,
    /// What kind of credential this is, in words.
    pub title: String,
    /// The holder's name.
    pub holder: String,
    /// Label and value pairs, in reading order.
    pub fields: Vec<(String, String)>,
}

impl CardText {
    /// Reads what goes on the card from a credential of a type Probity knows.
    pub fn from_credential(credential: &Value) -> Result<CardText> {
        let kind =
            model::validate_value(credential).context("cannot make a card for this credential")?;
        let issuer = match credential
            .get("issuer")
            .and_then(|i| i.get("name"))
            .and_then(Value::as_str)
        {
            Some(name) if !name.trim().is_empty() => name.to_owned(),
            _ => match model::issuer_id(credential) {
                Some(id) => format!("Issuer not named: {}", shorten(id)),
                None => "Issuer not named".to_owned(),
            },
        };
        let date = |field: &str| {
            credential
                .get(field)
                .and_then(Value::as_str)
                .map(|s| s.get(..10).unwrap_or(s).to_owned())
        };
        let validity = match (date("validFrom"), date("validUntil")) {
            (Some(from), Some(until)) => Some(format!("{from} to {until}")),
            (Some(from), None) => Some(format!("from {from}")),
            _ => None,
        };
        let (title, holder, mut fields) = match &kind {
            CredentialKind::IpCertificate(s) => {
                let mut fields = vec![
                    ("IP number".to_owned(), s.ip_number.clone()),
                    ("Track".to_owned(), s.track.display_name().to_owned()),
                ];
                if !s.modules.is_empty() {
                    fields.push(("Modules".to_owned(), s.modules.join(", ")));
                }
                (
                    "POCUS Independent Practitioner".to_owned(),
                    s.name.clone(),
                    fields,
                )
            }
            CredentialKind::SkillAttestation(s) => (
                "POCUS Skill Attestation".to_owned(),
                s.name.clone(),
                vec![
                    ("Applications".to_owned(), s.applications.join(", ")),
                    ("Department".to_owned(), s.department.clone()),
                ],
            ),
            CredentialKind::Other(t) => (
                t.clone(),
                credential
                    .pointer("/credentialSubject/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                vec![],
            ),
        };
        if let Some(validity) = validity {
            fields.push(("Valid".to_owned(), validity));
        }
        // Controls and invisible formatting are shown as escapes, and measured so.
        let shown = |text: &str| printable(text).into_owned();
        Ok(CardText {
            issuer: shown(&issuer),
            title: shown(&title),
            holder: shown(&holder),
            fields: fields
                .iter()
                .map(|(label, value)| (label.clone(), shown(value)))
                .collect(),
        })
    }
}

/// A long identifier, shortened for reading: its start and its end.
fn shorten(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 32 {
        return id.to_owned();
    }
    let head: String = chars[..20].iter().collect();
    let tail: String = chars[chars.len() - 8..].iter().collect();
    format!("{head}…{tail}")
}

/// Advance widths from the embedded fonts.
struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Metrics {
    fn new() -> Result<Metrics> {
        Ok(Metrics {
            regular: ttf_parser::Face::parse(REGULAR, 0).context("the embedded regular font")?,
            bold: ttf_parser::Face::parse(BOLD, 0).context("the embedded bold font")?,
        })
    }

    /// The width of `text` at `size` (both in tenths of a millimetre).
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let units = f32::from(face.units_per_em());
        let fallback = face
            .glyph_index('?')
            .and_then(|g| face.glyph_hor_advance(g))
            .unwrap_or(0);
        let advance: u32 = text
            .chars()
            .map(|c| {
                let glyph = face.glyph_index(c);
                u32::from(
                    glyph
                        .and_then(|g| face.glyph_hor_advance(g))
                        .unwrap_or(fallback),
                )
            })
            .sum();
        advance as f32 * size / units
    }
}

/// Breaks `text` into lines no wider than `width`, between words; a word wider than a
/// line is broken after a hyphen if it has one, else where it must be.
fn wrap(metrics: &Metrics, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let fits = |t: &str| metrics.width(t, size, bold) <= width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word's parts, each ending after a hyphen.
        let parts: Vec<&str> = word.split_inclusive('-').collect();
        for part in parts {
            let joined = format!("{line}{part}");
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in part.chars() {
                let mut longer = line.clone();
                longer.push(c);
                if !line.is_empty() && !fits(&longer) {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Whether every word of `text` (or, for a hyphenated word, each of its parts) fits
/// on a line of `width` at `size`.
fn words_fit(metrics: &Metrics, text: &str, size: f32, bold: bool, width: f32) -> bool {
    text.split_whitespace()
        .flat_map(|w| w.split_inclusive('-'))
        .all(|w| metrics.width(w, size, bold) <= width)
}

/// The largest size from `sizes` at which `text` takes at most `max_lines` lines
/// without breaking a word, and its lines (at the smallest size when none does).
fn fit(
    metrics: &Metrics,
    text: &str,
    sizes: &[f32],
    bold: bool,
    width: f32,
    max_lines: usize,
) -> (f32, Vec<String>) {
    for &size in sizes {
        let lines = wrap(metrics, text, size, bold, width);
        if lines.len() <= max_lines && words_fit(metrics, text, size, bold, width) {
            return (size, lines);
        }
    }
    let size = sizes.last().copied().unwrap_or(20.0);
    (size, wrap(metrics, text, size, bold, width))
}

/// Text made safe for the card: controls and invisible formatting shown as escapes,
/// then XML-escaped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn text_line(out: &mut String, x: f32, y: f32, size: f32, bold: bool, fill: &str, text: &str) {
    let weight = if bold { "bold" } else { "normal" };
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-family="{FAMILY}" font-size="{size:.1}" font-weight="{weight}" fill="{fill}">{}</text>"#,
        xml(text)
    );
}

/// The card as SVG, with `qr` drawn at 40 mm with its quiet zone.
pub fn svg(text: &CardText, qr: &qrcode::QrCode) -> Result<String> {
    let metrics = Metrics::new()?;
    let qr_x = WIDTH - MARGIN - QR_SIDE;
    let qr_y = HEIGHT - MARGIN - QR_SIDE;
    let column = qr_x - LEFT - 20.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="85.6mm" height="54mm" viewBox="0 0 {WIDTH} {HEIGHT}">"#
    );
    let _ = writeln!(
        out,
        r##"<rect width="{WIDTH}" height="{HEIGHT}" rx="30" fill="#ffffff" stroke="#c8c8c8" stroke-width="2"/>"##
    );
    let _ = writeln!(
        out,
        r#"<path d="M30 0H{:.1}A30 30 0 0 1 {WIDTH} 30V{BAND}H0V30A30 30 0 0 1 30 0Z" fill="{ACCENT}"/>"#,
        WIDTH - 30.0
    );
    // The issuer, across the band: one line, or two smaller ones.
    let band_width = WIDTH - 2.0 * LEFT;
    let (size, lines) = fit(
        &metrics,
        &text.issuer,
        &[32.0, 28.0, 25.0, 22.0],
        true,
        band_width,
        2,
    );
    let lines: Vec<String> = lines.into_iter().take(2).collect();
    let first = if lines.len() == 1 {
        BAND / 2.0 + size * 0.36
    } else {
        BAND / 2.0 - size * 0.22
    };
    for (i, line) in lines.iter().enumerate() {
        text_line(
            &mut out,
            LEFT,
            first + i as f32 * size * 1.12,
            size,
            true,
            "#ffffff",
            line,
        );
    }

    // The left column, set at the largest scale at which it fits above the caption.
    let caption = "Scan the code to verify";
    let bottom = HEIGHT - MARGIN - 30.0;
    let mut column_svg = String::new();
    for scale in [1.0f32, 0.92, 0.85, 0.78, 0.7, 0.62] {
        column_svg.clear();
        let mut y = BAND + 44.0 * scale;
        let (size, title) = fit(&metrics, &text.title, &[26.0 * scale], true, column, 2);
        for line in &title {
            text_line(&mut column_svg, LEFT, y, size, true, ACCENT, line);
            y += size * 1.2;
        }
        y += 14.0 * scale;
        let sizes: Vec<f32> = [44.0, 40.0, 36.0, 32.0, 28.0, 25.0, 22.0]
            .iter()
            .map(|s| s * scale)
            .collect();
        let (size, holder) = fit(&metrics, &text.holder, &sizes, true, column, 3);
        y += size * 0.2;
        for line in &holder {
            y += size;
            text_line(&mut column_svg, LEFT, y, size, true, INK, line);
            y += size * 0.18;
        }
        y += 22.0 * scale;
        let label_size = 18.0 * scale;
        let value_size = 23.0 * scale;
        for (label, value) in &text.fields {
            text_line(
                &mut column_svg,
                LEFT,
                y + label_size,
                label_size,
                false,
                MUTED,
                &label.to_uppercase(),
            );
            y += label_size * 1.25;
            for line in wrap(&metrics, value, value_size, false, column) {
                y += value_size;
                text_line(&mut column_svg, LEFT, y, value_size, false, INK, &line);
                y += value_size * 0.2;
            }
            y += 10.0 * scale;
        }
        if y <= bottom {
            break;
        }
    }
    out.push_str(&column_svg);
    text_line(
        &mut out,
        LEFT,
        HEIGHT - MARGIN - 4.0,
        17.0,
        false,
        MUTED,
        caption,
    );

    // The QR code: white with a four-module quiet zone, dark modules as one path.
    let modules = qr.width();
    let side = modules + 8;
    let module = QR_SIDE / side as f32;
    let _ = writeln!(
        out,
        r##"<rect x="{qr_x:.1}" y="{qr_y:.1}" width="{QR_SIDE}" height="{QR_SIDE}" fill="#ffffff"/>"##
    );
    let _ = write!(
        out,
        r#"<path transform="translate({:.3} {:.3}) scale({module:.5})" shape-rendering="crispEdges" fill="{INK}" d=""#,
        qr_x + 4.0 * module,
        qr_y + 4.0 * module
    );
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let _ = write!(out, "M{} {}h1v1h-1z", i % modules, i / modules);
        }
    }
    out.push_str("\"/>\n</svg>\n");
    Ok(out)
}

/// Parses a card's SVG with only the embedded fonts, as the renderers see it.
pub fn tree(svg: &str) -> Result<resvg::usvg::Tree> {
    let mut options = resvg::usvg::Options {
        font_family: FAMILY.to_owned(),
        ..Default::default()
    };
    let fonts = options.fontdb_mut();
    fonts.load_font_data(REGULAR.to_vec());
    fonts.load_font_data(BOLD.to_vec());
    fonts.set_sans_serif_family(FAMILY);
    resvg::usvg::Tree::from_str(svg, &options).context("the card's SVG does not read back")
}

/// The card as PNG at 300 dpi.
pub fn png(svg: &str) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    let scale = PNG_DPI / 25.4 / 10.0;
    let (w, h) = (
        (WIDTH * scale).round() as u32,
        (HEIGHT * scale).round() as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).context("cannot make the card's image")?;
    // The SVG's own size is in millimetres, which usvg reads at 96 dpi.
    let from_tree = w as f32 / tree.size().width();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(from_tree, from_tree),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode the card as PNG")
}

/// The card as a one-page PDF of the card's own size, its text as text.
pub fn pdf(svg: &str) -> Result<Vec<u8>> {
    let tree = tree(svg)?;
    // usvg reads millimetres at 96 dpi; at 96 dpi the page is 85.6 × 54 mm again.
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions { dpi: 96.0 },
    )
    .map_err(|e| anyhow::anyhow!("cannot make the card's PDF: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_between_words_and_only_a_word_too_long_for_any_line_is_cut() {
        let m = Metrics::new().unwrap();
        let lines = wrap(
            &m,
            "Canadian Point of Care Ultrasound Society",
            30.0,
            true,
            300.0,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.join(" "), "Canadian Point of Care Ultrasound Society");
        for line in &lines {
            assert!(m.width(line, 30.0, true) <= 300.0, "{line}");
        }
        let cut = wrap(&m, &"W".repeat(60), 30.0, true, 300.0);
        assert!(cut.len() > 1 && cut.concat() == "W".repeat(60));
    }

    #[test]
    fn a_long_name_shrinks_before_any_word_is_cut() {
        let m = Metrics::new().unwrap();
        let name = "Dr. Maximiliana Alexandrovna Konstantinopolskaya-Oyelaran";
        let sizes = [44.0, 40.0, 36.0, 32.0, 28.0, 25.0, 22.0];
        let (size, lines) = fit(&m, name, &sizes, true, 372.0, 3);
        // Too long for three lines at any size: set at the smallest, broken only
        // between words and after the hyphen.
        assert_eq!(size, 22.0);
        let (short_size, short) = fit(&m, "Dr. Amelia Okafor", &sizes, true, 372.0, 3);
        assert!(
            short_size == 44.0 && short.len() <= 2,
            "{short_size} {short:?}"
        );
        // Each line ends at a space or after a hyphen of the name.
        let mut rest = name;
        for line in &lines {
            rest = rest
                .strip_prefix(line.as_str())
                .unwrap_or_else(|| panic!("{lines:?}"));
            assert!(
                rest.is_empty() || rest.starts_with(' ') || line.ends_with('-'),
                "{lines:?}"
            );
            rest = rest.trim_start();
        }
    }

    #[test]
    fn an_issuer_without_a_name_is_said_plainly_not_shown_as_a_raw_did() {
        let did = "did:key:z6MkngwZ8TXq8dbyiUcnc4mnSL3xi4iqPmymFKSqbBLEVKLA";
        let short = shorten(did);
        assert_eq!(short, "did:key:z6MkngwZ8TXq…bBLEVKLA");
        let envelope = probity_spec::sample::envelope(did, None, vec![]);
        let credential = probity_spec::model::ip_certificate(
            &envelope,
            &probity_spec::sample::ip_certificate_subject(),
        )
        .unwrap();
        let card = CardText::from_credential(&credential).unwrap();
        assert_eq!(card.issuer, format!("Issuer not named: {short}"));
        assert!(card.fields.iter().any(|(label, _)| label == "Modules"));
    }

    #[test]
    fn markup_and_controls_in_a_credential_cannot_change_the_svg() {
        assert_eq!(xml("A&B <x> \"q\""), "A&amp;B &lt;x&gt; &quot;q&quot;");
        assert!(!xml("evil\u{202e}txt.exe").contains('\u{202e}'));
    }
}
