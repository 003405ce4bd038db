//! The web app for people (contract §8) and the interactive API reference (`/docs`), served from
//! assets built into the binary: no other process, no CDN, no network.
//!
//! The app is a client of `/api` only (`app.js`, plain ES modules, no build step). Every page path
//! answers the same HTML shell; the script routes by path. Assets are compressed once (gzip) and
//! served with an `ETag`; the shell names them with a content hash (`?v=…`), so they are cached for
//! a year while the shell is revalidated on every load. Every page carries a strict
//! Content-Security-Policy: no inline script or style, nothing from another origin.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest as _, Sha256};

use crate::respond::method_not_allowed;

/// The page the verification email links to (`{public url}/verify-email?token=...`): the web
/// app's verify page, whose button posts the token to `POST /api/auth/verify-email`.
pub const VERIFY_EMAIL_PATH: &str = "/verify-email";

/// The paths of the web app's pages: each answers the app's HTML shell.
pub const PAGES: [&str; 6] = [
    "/",
    "/login",
    "/signup",
    VERIFY_EMAIL_PATH,
    "/clients",
    "/keys",
];

/// The web app's policy: scripts, styles and requests from this origin only.
const APP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
/// The reference's policy: RapiDoc sets inline styles (its web components), nothing else relaxes.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// An embedded file: its bytes, their gzip form, an `ETag`.
struct Asset {
    raw: web::Bytes,
    gzip: web::Bytes,
    etag: String,
    content_type: &'static str,
}

impl Asset {
    fn new(raw: impl Into<Vec<u8>>, content_type: &'static str) -> Self {
        let raw: Vec<u8> = raw.into();
        let digest = Sha256::digest(&raw);
        let etag = format!("\"{}\"", hex(&digest[..8]));
        Self {
            gzip: gzip(&raw).into(),
            raw: raw.into(),
            etag,
            content_type,
        }
    }

    /// The short content hash that versions the asset's URL.
    fn version(&self) -> &str {
        self.etag.trim_matches('"')
    }

    /// `200` (gzip when the client accepts it) or `304` when the client holds this version.
    fn respond(&self, req: &HttpRequest, cache: &'static str) -> HttpResponse {
        let fresh = if_none_match(req, &self.etag);
        let mut res = HttpResponse::build(if fresh {
            StatusCode::NOT_MODIFIED
        } else {
            StatusCode::OK
        });
        res.insert_header((header::ETAG, self.etag.as_str()))
            .insert_header((header::CACHE_CONTROL, cache))
            .insert_header((header::VARY, "Accept-Encoding"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        if fresh {
            return res.finish();
        }
        res.insert_header((header::CONTENT_TYPE, self.content_type));
        if accepts_gzip(req) {
            res.insert_header((header::CONTENT_ENCODING, "gzip"))
                .body(self.gzip.clone())
        } else {
            res.body(self.raw.clone())
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(raw);
    encoder.finish().unwrap_or_default()
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

static APP_JS: LazyLock<Asset> = LazyLock::new(|| Asset::new(include_str!("app.js"), JS));
static APP_CSS: LazyLock<Asset> = LazyLock::new(|| Asset::new(include_str!("app.css"), CSS));
static DOCS_JS: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(include_str!("docs/rapidoc-min.js"), JS));
static DOCS_INIT: LazyLock<Asset> = LazyLock::new(|| Asset::new(include_str!("docs/init.js"), JS));

/// The shell, with each asset's URL versioned by its content.
static SHELL: LazyLock<Asset> = LazyLock::new(|| {
    let html = include_str!("index.html")
        .replace(
            "/assets/app.css\"",
            &format!("/assets/app.css?v={}\"", APP_CSS.version()),
        )
        .replace(
            "/assets/app.js\"",
            &format!("/assets/app.js?v={}\"", APP_JS.version()),
        );
    Asset::new(html, HTML)
});
static DOCS_PAGE: LazyLock<Asset> = LazyLock::new(|| {
    let html = include_str!("docs/index.html")
        .replace(
            "/docs/assets/init.js\"",
            &format!("/docs/assets/init.js?v={}\"", DOCS_INIT.version()),
        )
        .replace(
            "/docs/assets/rapidoc-min.js\"",
            &format!("/docs/assets/rapidoc-min.js?v={}\"", DOCS_JS.version()),
        );
    Asset::new(html, HTML)
});

/// Pages: revalidated on every load (`no-cache` with an `ETag`), never framed, no referrer.
fn page(req: &HttpRequest, asset: &Asset, csp: &'static str) -> HttpResponse {
    let mut res = asset.respond(req, "no-cache");
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Assets: a year when asked for by their current version, else revalidated.
fn asset(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let current = crate::respond::query_pairs(req.query_string())
        .iter()
        .any(|(k, v)| k == "v" && v == asset.version());
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    asset.respond(req, cache)
}

async fn app_page(req: HttpRequest) -> HttpResponse {
    page(&req, &SHELL, APP_CSP)
}

async fn docs_page(req: HttpRequest) -> HttpResponse {
    page(&req, &DOCS_PAGE, DOCS_CSP)
}

async fn app_js(req: HttpRequest) -> HttpResponse {
    asset(&req, &APP_JS)
}

async fn app_css(req: HttpRequest) -> HttpResponse {
    asset(&req, &APP_CSS)
}

async fn docs_js(req: HttpRequest) -> HttpResponse {
    asset(&req, &DOCS_JS)
}

async fn docs_init(req: HttpRequest) -> HttpResponse {
    asset(&req, &DOCS_INIT)
}

/// Registers the pages and assets: `GET` and `HEAD` of each of [`PAGES`], `/docs` and their
/// assets; 405 for other methods. [`configure`](crate::configure) registers them.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for path in PAGES {
        get(cfg, path, app_page);
    }
    get(cfg, "/docs", docs_page);
    get(cfg, "/assets/app.js", app_js);
    get(cfg, "/assets/app.css", app_css);
    get(cfg, "/docs/assets/rapidoc-min.js", docs_js);
    get(cfg, "/docs/assets/init.js", docs_init);
}

/// `GET` and `HEAD` of `path`; 405 for anything else.
fn get<F>(cfg: &mut web::ServiceConfig, path: &str, handler: F)
where
    F: actix_web::Handler<(HttpRequest,)>,
    F::Output: actix_web::Responder + 'static,
{
    cfg.service(
        web::resource(path)
            .route(web::get().to(handler.clone()))
            .route(web::head().to(handler))
            .default_service(method_not_allowed("GET, HEAD")),
    );
}
