//! The verification page, served at `/` by every verifier node: what an HR or
//! credentialing office uses to check a credential, on a phone or a desk.
//!
//! A QR code's link (`https://<verifier>/#PB1:…`) opens it with the payload in the URL
//! fragment, which browsers never send to a server; the page's script reads it and
//! posts it to `POST /api/v1/verify`, as it does an uploaded image of a code or pasted
//! text. The assets are embedded in the binary: no build step, nothing fetched from
//! elsewhere, and a Content-Security-Policy that allows only this origin's own script
//! and style, so a string in a credential can never run as code here.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("page/index.html");
const STYLE: &str = include_str!("page/page.css");
const SCRIPT: &str = include_str!("page/page.js");

/// Only this origin's own script, style and API; images from uploads (blob:) only.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' blob: data:; connect-src 'self'; form-action 'none'; base-uri 'none'; \
    frame-ancestors 'none'";

/// `GET /`: the page.
pub async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8")
}

/// `GET /page.css`.
pub async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

/// `GET /page.js`.
pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_SECURITY_POLICY, POLICY),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (REFERRER_POLICY, "no-referrer"),
            (X_FRAME_OPTIONS, "DENY"),
            (CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
