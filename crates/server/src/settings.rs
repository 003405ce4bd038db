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
    #[garde(length(min = 1, max = 4096))]
    pub database_url: String,
    #[garde(range(min = 1, max = 1024))]
    pub pool_size: u32,
    #[garde(range(min = 50, max = 600_000))]
    pub pool_timeout_ms: u64,
    #[garde(skip)]
    pub bind: SocketAddr,
    #[garde(range(max = 1_000_000))]
    pub create_rate_limit: u32,
    #[garde(range(max = 1_000_000))]
    pub rate_limit: u32,
    #[garde(inner(length(min = 1, max = 2048), prefix("http")))]
    pub allowed_origins: Vec<String>,
    #[garde(skip)]
    pub mail_dir: PathBuf,
    #[garde(length(min = 1, max = 2048), prefix("smtp://"))]
    pub mailer_url: Option<String>,
    #[garde(length(min = 3, max = 320))]
    pub mail_from: String,
    #[garde(skip)]
    pub secure_cookies: bool,
    #[garde(length(min = 1, max = 2048), prefix("http"))]
    pub public_url: Option<String>,
    #[garde(skip)]
    pub log_format: LogFormat,
    #[garde(skip)]
    pub plan_limits: PlanLimits,
    #[garde(dive)]
    pub argon2: Argon2Params,
    #[garde(range(min = 1, max = 512))]
    pub workers: Option<usize>,
    #[garde(range(max = 3600))]
    pub shutdown_timeout: u64,
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
            allowed_origins: serve.allowed_origins.clone(),
            mail_dir: serve.mail_dir.clone(),
            mailer_url: serve.mailer_url.clone(),
            mail_from: serve.mail_from.clone(),
            secure_cookies: serve.secure_cookies,
            public_url: serve.public_url.clone(),
            log_format: global.log_format,
            plan_limits: plan_limits(&global.plan_limits)?,
            argon2: argon2_params(global),
            workers: serve.workers,
            shutdown_timeout: serve.shutdown_timeout,
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
            allowed_origins: Vec::new(),
            mail_dir: std::env::temp_dir().join("clientele-test-mail"),
            mailer_url: None,
            mail_from: crate::mail::DEFAULT_FROM.to_owned(),
            secure_cookies: false,
            public_url: None,
            log_format: LogFormat::Text,
            plan_limits: PlanLimits::default(),
            argon2: Argon2Params::cheap(),
            workers: Some(2),
            shutdown_timeout: 5,
            request_timeout_ms: 10_000,
            migrate: true,
        }
    }

    /// Validates with garde.
    ///
    /// # Errors
    /// Every invalid setting, on one line.
    pub fn check(&self) -> Result<(), String> {
        self.validate()
            .map_err(|report| format!("invalid settings: {}", one_line(&report.to_string())))
    }

    #[must_use]
    pub fn pool_timeout(&self) -> Duration {
        Duration::from_millis(self.pool_timeout_ms)
    }
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
        assert!(e.contains("pool_size"), "{e}");
        assert!(e.contains("argon2.iterations"), "{e}");
        assert!(e.contains("allowed_origins"), "{e}");
        assert!(!e.contains('\n'));
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
