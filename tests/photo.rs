//! Photographs of QR codes, made in software: what the end-to-end tests and the QR
//! benchmark point the decoder at. Shared by `tests/qr.rs` and `cli/benches/qr.rs`.

use image::{GrayImage, ImageEncoder, Luma};

/// The photographs the camera test takes of a code: name, degrees turned, scale,
/// blur (sigma, pixels) and noise (± grey levels), for a code drawn at 6 pixels a module.
pub const CAMERA_CASES: [(&str, f32, f32, f32, f32); 6] = [
    ("turned 9 degrees, 70%", 9.0, 0.7, 0.8, 12.0),
    ("turned -23 degrees, 60%", -23.0, 0.6, 0.6, 10.0),
    ("upside down, blurred", 180.0, 0.8, 1.2, 8.0),
    ("small and noisy", 4.0, 0.5, 0.5, 20.0),
    ("turned 45 degrees, 70%", 45.0, 0.7, 0.6, 10.0),
    ("turned 15 degrees, full size, sharp", 15.0, 1.0, 0.0, 4.0),
];

/// A deterministic noise source, so failures reproduce.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as f32) / (u32::MAX >> 1) as f32
    }
}

/// What a phone camera does to a printed code, roughly: the code at `scale` of its
/// size, turned by `degrees`, on a larger uneven background, softened and noisy.
pub fn photograph(code: &GrayImage, degrees: f32, scale: f32, blur: f32, noise: f32) -> GrayImage {
    let (w, h) = (code.width() as f32 * scale, code.height() as f32 * scale);
    let side = ((w * w + h * h).sqrt() * 1.5) as u32;
    let (cx, cy) = (side as f32 / 2.0, side as f32 / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let mut rng = Lcg(7);
    let mut photo = GrayImage::from_fn(side, side, |x, y| {
        // Back-project into the code's pixels (bilinear), else an uneven background.
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let u = (cos * dx + sin * dy) / scale + code.width() as f32 / 2.0;
        let v = (-sin * dx + cos * dy) / scale + code.height() as f32 / 2.0;
        let background = 150.0 + 60.0 * (x as f32 / side as f32) - 30.0 * (y as f32 / side as f32);
        let value = if u >= 0.0
            && v >= 0.0
            && u < code.width() as f32 - 1.0
            && v < code.height() as f32 - 1.0
        {
            let (x0, y0) = (u.floor() as u32, v.floor() as u32);
            let (fx, fy) = (u - x0 as f32, v - y0 as f32);
            let p = |x, y| code.get_pixel(x, y)[0] as f32;
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            // Paper is not white and ink is not black under room light.
            30.0 + (top * (1.0 - fy) + bottom * fy) * 0.78
        } else {
            background
        };
        Luma([value.clamp(0.0, 255.0) as u8])
    });
    if blur > 0.0 {
        photo = image::imageops::blur(&photo, blur);
    }
    for p in photo.pixels_mut() {
        let n = (rng.next() - 0.5) * 2.0 * noise;
        p[0] = (p[0] as f32 + n).clamp(0.0, 255.0) as u8;
    }
    photo
}

/// The photograph as a JPEG at quality 80, as a phone would save it.
pub fn jpeg(image: &GrayImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
    bytes
}
