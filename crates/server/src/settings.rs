//! The server's settings, checked with garde (ranges of pool size, rate limits, argon2 costs...).
//! The domain's own rules are not garde's business: see docs/decisions/0003-garde.md.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clientele_domain::PlanLimits;
use garde::Validate as _;

use crate::cli::{GlobalArgs, LogFormat, ServeArgs};
use crate::hasher::Argon2Params;

/// Everything `serve` needs, validated.
#[derive(Debug, Clone, garde::Validate)]
pub struct Settings {
    /// `--database-url`: `sqlite://PATH` or `postgres://...`; 1–4096 bytes.
    #[garde(length(min = 1, max = 4096))]
    pub database_url: String,
    /// `--pool-size`: the most connections in the pool, 1–1024.
    #[garde(range(min = 1, max = 1024))]
    pub pool_size: u32,
    /// `--pool-timeout-ms`: how long a request waits for a connection before a 503, 50–600000
    /// milliseconds ([`Self::pool_timeout`]).
    #[garde(range(min = 50, max = 600_000))]
    pub pool_timeout_ms: u64,
    /// `--bind`: the address to listen on; port 0 lets the system choose one
    /// ([`RunningServer::addr`](crate::RunningServer::addr) is the one bound).
    #[garde(skip)]
    pub bind: SocketAddr,
    /// `--create-rate-limit`: `POST /v1/clients` requests a minute per API key, at most
    /// 1000000; 0: no limit.
    #[garde(range(max = 1_000_000))]
    pub create_rate_limit: u32,
    /// `--rate-limit`: other requests a minute per API key, at most 1000000; 0: no limit.
    #[garde(range(max = 1_000_000))]
    pub rate_limit: u32,
    /// `--auth-rate-limit`: authentication requests a minute per client address, at most
    /// 1000000; 0: no limit.
    #[garde(range(max = 1_000_000))]
    pub auth_rate_limit: u32,
    /// `--login-rate-limit`: authentication requests a minute per account, at most 1000000; 0:
    /// no limit.
    #[garde(range(max = 1_000_000))]
    pub login_rate_limit: u32,
    /// `--trusted-proxy`: the proxies whose `X-Forwarded-For` is believed.
    #[garde(skip)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `--metrics-bind`: serve `/metrics` there instead of on [`Self::bind`].
    #[garde(skip)]
    pub metrics_bind: Option<SocketAddr>,
    /// `--bootstrap-key-file`: where the first start writes its management key (mode 0600);
    /// `None`: stderr.
    #[garde(skip)]
    pub bootstrap_key_file: Option<PathBuf>,
    /// `--allowed-origin`: more origins allowed on cookie-authenticated writes, each 1–2048
    /// bytes starting with `http`. The bound address's and the public URL's origins are allowed
    /// anyway: see [`crate::run::allowed_origins`].
    #[garde(inner(length(min = 1, max = 2048), prefix("http")))]
    pub allowed_origins: Vec<String>,
    /// `--mail-dir`: where the `.eml` mailer writes messages, when there is no
    /// [`Self::mailer_url`].
    #[garde(skip)]
    pub mail_dir: PathBuf,
    /// `--mailer-url`: send mail over SMTP, `smtp://` or `smtps://` (1–2048 bytes; parsed at
    /// start by [`SmtpConfig::from_url`](crate::smtp::SmtpConfig::from_url)). `None`: `.eml`
    /// files in [`Self::mail_dir`].
    #[garde(length(min = 1, max = 2048), prefix("smtp"))]
    pub mailer_url: Option<String>,
    /// `--mailer-ca-file`: more certificate authorities to trust for the SMTP server (PEM).
    #[garde(skip)]
    pub mailer_ca_file: Option<PathBuf>,
    /// `--mail-from`: the `From:` of outgoing mail, `Name <address>` or an address; 3–320
    /// bytes.
    #[garde(length(min = 3, max = 320))]
    pub mail_from: String,
    /// `--secure-cookies`: mark session cookies `Secure` (when served behind HTTPS).
    #[garde(skip)]
    pub secure_cookies: bool,
    /// `--public-url`: the web app's public base URL, 1–2048 bytes starting with `http`: the
    /// base of the links in emails, and its origin is allowed on cookie-authenticated writes.
    /// `None`: links start with `http://` and [`Self::bind`] as configured.
    #[garde(length(min = 1, max = 2048), prefix("http"))]
    pub public_url: Option<String>,
    /// `--log-format`. Kept for reference only: the logger is installed from the command line
    /// by [`crate::telemetry::init`], not from the settings.
    #[garde(skip)]
    pub log_format: LogFormat,
    /// `--plan-limit`: each plan's client limit, the defaults with the overrides applied
    /// ([`plan_limits`]).
    #[garde(skip)]
    pub plan_limits: PlanLimits,
    /// `--argon2-memory-kib`, `--argon2-iterations`, `--argon2-parallelism`: the password
    /// hashing costs, checked with [`Argon2Params`]'s own ranges.
    #[garde(dive)]
    pub argon2: Argon2Params,
    /// `--workers`: HTTP worker threads, 1–512. `None`: actix's default, the number of CPUs.
    #[garde(range(min = 1, max = 512))]
    pub workers: Option<usize>,
    /// `--shutdown-timeout`: seconds in-flight requests get to finish on a graceful stop, at
    /// most 3600.
    #[garde(range(max = 3600))]
    pub shutdown_timeout: u64,
    /// `--shutdown-delay-ms`: milliseconds the server keeps serving after a stop signal (with
    /// `/ready` at 503) before it stops taking connections, at most 600000.
    #[garde(range(max = 600_000))]
    pub shutdown_delay_ms: u64,
    /// `--request-timeout-ms`: milliseconds a client gets to send a request's head, and then
    /// its body (408 past them), 100–600000.
    #[garde(range(min = 100, max = 600_000))]
    pub request_timeout_ms: u64,
    /// Whether `serve` applies pending migrations (`--no-migrate`: refuse to start instead).
    #[garde(skip)]
    pub migrate: bool,
}

impl Settings {
    /// Builds and validates the settings of `serve`.
    ///
    /// # Errors
    /// A one-line description of every invalid setting.
    pub fn from_args(global: &GlobalArgs, serve: &ServeArgs) -> Result<Self, String> {
        let settings = Self {
            database_url: global.database_url.clone(),
            pool_size: global.pool_size,
            pool_timeout_ms: global.pool_timeout_ms,
            bind: serve.bind,
            create_rate_limit: serve.create_rate_limit,
            rate_limit: serve.rate_limit,
            auth_rate_limit: serve.auth_rate_limit,
            login_rate_limit: serve.login_rate_limit,
            trusted_proxies: trusted_proxies(&serve.trusted_proxies)?,
            metrics_bind: serve.metrics_bind,
            bootstrap_key_file: serve.bootstrap_key_file.clone(),
            allowed_origins: serve.allowed_origins.clone(),
            mail_dir: serve.mail_dir.clone(),
            mailer_url: serve.mailer_url.clone(),
            mailer_ca_file: serve.mailer_ca_file.clone(),
            mail_from: serve.mail_from.clone(),
            secure_cookies: serve.secure_cookies,
            public_url: serve.public_url.clone(),
            log_format: global.log_format,
            plan_limits: plan_limits(&global.plan_limits)?,
            argon2: argon2_params(global),
            workers: serve.workers,
            shutdown_timeout: serve.shutdown_timeout,
            shutdown_delay_ms: serve.shutdown_delay_ms,
            request_timeout_ms: serve.request_timeout_ms,
            migrate: !serve.no_migrate,
        };
        settings.check()?;
        Ok(settings)
    }

    /// The settings an administration subcommand needs (no HTTP server: the serve-only values
    /// are their defaults).
    ///
    /// # Errors
    /// An invalid plan limit or setting, on one line.
    pub fn for_command(global: &GlobalArgs) -> Result<Self, String> {
        let settings = Self {
            database_url: global.database_url.clone(),
            pool_size: global.pool_size,
            pool_timeout_ms: global.pool_timeout_ms,
            plan_limits: plan_limits(&global.plan_limits)?,
            argon2: argon2_params(global),
            log_format: global.log_format,
            mail_dir: PathBuf::from("./mail"),
            workers: None,
            shutdown_timeout: 30,
            ..Self::for_tests(global.database_url.clone())
        };
        settings.check()?;
        Ok(settings)
    }

    /// Settings for tests: the given database, `127.0.0.1:0`, no rate limits, cheap argon2,
    /// a 1-second pool timeout, two workers.
    #[must_use]
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            pool_size: 4,
            pool_timeout_ms: 1000,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            create_rate_limit: 0,
            rate_limit: 0,
            auth_rate_limit: 0,
            login_rate_limit: 0,
            trusted_proxies: Vec::new(),
            metrics_bind: None,
            bootstrap_key_file: None,
            allowed_origins: Vec::new(),
            mail_dir: std::env::temp_dir().join("clientele-test-mail"),
            mailer_url: None,
            mailer_ca_file: None,
            mail_from: crate::mail::DEFAULT_FROM.to_owned(),
            secure_cookies: false,
            public_url: None,
            log_format: LogFormat::Text,
            plan_limits: PlanLimits::default(),
            argon2: Argon2Params::cheap(),
            workers: Some(2),
            shutdown_timeout: 5,
            shutdown_delay_ms: 0,
            request_timeout_ms: 10_000,
            migrate: true,
        }
    }

    /// Validates with garde.
    ///
    /// # Errors
    /// Every invalid setting, on one line.
    pub fn check(&self) -> Result<(), String> {
        self.validate().map_err(|report| {
            let issues: Vec<String> = report
                .iter()
                .map(|(path, error)| format!("{}: {error}", flag_name(&path.to_string())))
                .collect();
            format!("invalid settings: {}", one_line(&issues.join("; ")))
        })
    }

    /// [`Self::pool_timeout_ms`] as a [`Duration`].
    #[must_use]
    pub fn pool_timeout(&self) -> Duration {
        Duration::from_millis(self.pool_timeout_ms)
    }
}

/// The command-line flag of a settings field's garde path: `pool_size` → `--pool-size`,
/// `argon2.iterations` → `--argon2-iterations`, `allowed_origins[0]` → `--allowed-origin`.
fn flag_name(path: &str) -> String {
    let field = path.split('[').next().unwrap_or(path);
    let flag = match field {
        "allowed_origins" => "allowed-origin".to_owned(),
        other => other.replace(['_', '.'], "-"),
    };
    format!("--{flag}")
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The default limits with `PLAN=N` overrides applied.
///
/// # Errors
/// The first invalid override.
pub fn plan_limits(overrides: &[String]) -> Result<PlanLimits, String> {
    overrides
        .iter()
        .filter(|s| !s.trim().is_empty())
        .try_fold(PlanLimits::default(), |limits, spec| {
            limits.with_override(spec.trim())
        })
}

/// The `--trusted-proxy` values: IP addresses (one host) or CIDR blocks.
///
/// # Errors
/// The first value that is neither, on one line.
pub fn trusted_proxies(values: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<ipnet::IpNet>()
                .or_else(|_| v.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!("invalid --trusted-proxy {v:?}: expected an IP address or a CIDR block like 10.0.0.0/8")
                })
        })
        .collect()
}

/// The argon2 parameters of the command line.
#[must_use]
pub fn argon2_params(global: &GlobalArgs) -> Argon2Params {
    Argon2Params {
        memory_kib: global.argon2_memory_kib,
        iterations: global.argon2_iterations,
        parallelism: global.argon2_parallelism,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clientele_domain::{Limit, Plan};

    #[test]
    fn garde_checks_ranges() {
        let mut s = Settings::for_tests("sqlite::memory:");
        assert!(s.check().is_ok());
        s.pool_size = 0;
        s.argon2.iterations = 0;
        s.allowed_origins = vec!["ftp://x".to_owned()];
        let e = s.check().unwrap_err();
        assert!(e.contains("--pool-size: "), "{e}");
        assert!(e.contains("--argon2-iterations: "), "{e}");
        assert!(e.contains("--allowed-origin: "), "{e}");
        assert!(!e.contains('_'), "the user's words, not field names: {e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_blocks() {
        let p = trusted_proxies(&[
            "127.0.0.1".to_owned(),
            " 10.0.0.0/8".to_owned(),
            "::1".to_owned(),
        ])
        .unwrap();
        assert_eq!(p.len(), 3);
        assert!(p[0].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
        assert!(!p[0].contains(&"127.0.0.2".parse::<std::net::IpAddr>().unwrap()));
        assert!(p[1].contains(&"10.9.8.7".parse::<std::net::IpAddr>().unwrap()));
        let e = trusted_proxies(&["proxy.local".to_owned()]).unwrap_err();
        assert!(e.contains("--trusted-proxy") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn plan_limit_overrides() {
        let l = plan_limits(&["free=10".to_owned(), "agency=unlimited".to_owned()]).unwrap();
        assert_eq!(l.limit(Plan::Free), Limit::Max(10));
        assert_eq!(l.limit(Plan::Agency), Limit::Unlimited);
        assert_eq!(l.limit(Plan::Starter), Limit::Max(5));
        assert!(plan_limits(&["gold=1".to_owned()]).is_err());
        assert!(plan_limits(&["free".to_owned()]).is_err());
    }
}
