//! The one page a browser loads: HTML, CSS and JavaScript embedded in the binary, so it works on a
//! classroom network with no internet (no CDN, no external font, no build step).
//!
//! Every response carries a Content-Security-Policy that allows only the page's own script,
//! style and WebSocket: even if a member's text ever reached the DOM as HTML, no inline script or
//! foreign resource could run. (It never does: `app.js` uses `textContent` only.)

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One embedded file and its media type.
#[derive(Debug, Clone, Copy)]
pub struct File {
    pub body: &'static str,
    pub media_type: &'static str,
}

pub const INDEX: File = File {
    body: include_str!("index.html"),
    media_type: "text/html; charset=utf-8",
};
pub const SCRIPT: File = File {
    body: include_str!("app.js"),
    media_type: "text/javascript; charset=utf-8",
};
pub const STYLE: File = File {
    body: include_str!("style.css"),
    media_type: "text/css; charset=utf-8",
};

/// Scripts, styles, images and connections from the page's own origin only; no inline script or
/// style, no plugins, no framing by other sites, no forms posted elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The response for one embedded file, with the security headers.
pub fn file(file: File) -> Response {
    (
        [
            (header::CONTENT_TYPE, file.media_type),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        file.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's own rules: no inline script or handler, nothing from elsewhere, and user text
    /// never set as HTML.
    #[test]
    fn the_page_loads_nothing_from_elsewhere_and_never_writes_html() {
        for f in [INDEX, SCRIPT, STYLE] {
            for foreign in ["http://", "https://", "//fonts", "@import"] {
                assert!(!f.body.contains(foreign), "{foreign} in {}", f.media_type);
            }
        }
        assert!(!INDEX.body.contains("<script>"), "inline script");
        assert!(!INDEX.body.contains(" on"), "inline handler");
        assert!(!INDEX.body.contains("style="), "inline style");
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!SCRIPT.body.contains(sink), "{sink} in app.js");
        }
        // The homework's sentences, byte for byte (fullwidth colon between spaces).
        for sentence in [" 进入了聊天室", " 说 ： ", " 退出了聊天", "管理员说 :"] {
            assert!(SCRIPT.body.contains(sentence), "{sentence}");
        }
    }
}
