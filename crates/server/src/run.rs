//! Wiring: the store, the use cases, the HTTP server; [`spawn`] for tests.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::ServerHandle;
use clientele_adapters_diesel::{DieselStore, PoolOptions};
use clientele_adapters_http::{AppState, HttpSettings, RateLimits};
use clientele_ports::{Bootstrap, Config, Mailer, RandomIds, Services, SystemClock};

use crate::hasher::Argon2Hasher;
use crate::mail::{FileMailer, MailStats};
use crate::settings::Settings;
use crate::smtp::{SmtpConfig, SmtpMailer};
use crate::telemetry::PoolMetrics;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting the server refuses, as a one-line message: what [`Settings::check`] reports,
    /// argon2 parameters or a mailer URL that do not parse, or (without migrating at start) a
    /// database with pending migrations.
    #[error("{0}")]
    Settings(String),
    /// The store could not connect to the database, migrate it, or list its pending migrations.
    #[error(transparent)]
    Store(#[from] clientele_adapters_diesel::StoreError),
    /// Binding the listening socket, reading its address, or handing it to the HTTP server
    /// failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for ([`Settings::bind`]).
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Anything else that stopped the server, as a one-line message: the connecting task
    /// failed, the bootstrap failed, the signal handlers could not be installed, or (from
    /// [`serve`]) the running server's own I/O error.
    #[error("{0}")]
    Setup(String),
}

/// The use cases over the database store.
pub type AppServices = Services<DieselStore>;

/// Connects to the database and applies pending migrations, for a short-lived command: no idle connection is kept or replenished in the
/// background, so the process never exits while the pool is opening a connection.
///
/// # Errors
/// The store's connection or migration error.
pub async fn open_store_for_command(
    url: &str,
    timeout: Duration,
) -> Result<(DieselStore, Vec<String>), StartError> {
    open_store_with(
        url,
        PoolOptions {
            max_size: 1,
            min_idle: Some(0),
            connection_timeout: timeout,
            ..PoolOptions::default()
        },
    )
    .await
}

async fn open_store_with(
    url: &str,
    options: PoolOptions,
) -> Result<(DieselStore, Vec<String>), StartError> {
    let store = connect(url, options).await?;
    let applied = store.migrate().await?;
    Ok((store, applied))
}

/// A pool on the database, connected (blocking work on the blocking pool), not migrated.
async fn connect(url: &str, options: PoolOptions) -> Result<DieselStore, StartError> {
    let url = url.to_owned();
    Ok(
        tokio::task::spawn_blocking(move || DieselStore::connect(&url, options))
            .await
            .map_err(|e| StartError::Setup(format!("connecting to the database: {e}")))??,
    )
}

fn pool_options(settings: &Settings) -> PoolOptions {
    PoolOptions {
        max_size: settings.pool_size,
        connection_timeout: settings.pool_timeout(),
        ..PoolOptions::default()
    }
}

/// The mailer URL, `From:` and CA file parse (the mailer itself is built with the use cases).
fn check_mail_settings(settings: &Settings) -> Result<(), StartError> {
    crate::mail::parse_from(&settings.mail_from).map_err(StartError::Settings)?;
    if let Some(url) = &settings.mailer_url {
        SmtpMailer::new(
            &SmtpConfig::from_url(url).map_err(StartError::Settings)?,
            &settings.mail_from,
            settings.mailer_ca_file.as_deref(),
            Arc::default(),
        )
        .map_err(StartError::Settings)?;
    } else if let Some(ca) = &settings.mailer_ca_file {
        return Err(StartError::Settings(format!(
            "--mailer-ca-file {} is given without --mailer-url",
            ca.display()
        )));
    }
    Ok(())
}

/// Warns about settings that are fine on a laptop and wrong on a public address.
fn warn_about_exposure(settings: &Settings, addr: SocketAddr) {
    if addr.ip().is_loopback() {
        return;
    }
    if settings.public_url.is_none() {
        tracing::warn!(
            %addr,
            "listening on a non-loopback address without --public-url: verification links point at \
             http://{addr} and only that origin may write from a browser; set --public-url to the \
             address people use (e.g. https://clients.example.com)"
        );
    }
    if settings.mailer_url.is_none() {
        tracing::warn!(
            mail_dir = %settings.mail_dir.display(),
            "listening on a non-loopback address with the .eml mailer: verification messages are \
             files in --mail-dir, not sent; set --mailer-url to an SMTP server"
        );
    }
}

/// The use cases over `store` with the production clock, ids, argon2id and the mailer of the
/// settings (SMTP or `.eml` files), which counts its messages in `mail_stats`.
///
/// # Errors
/// argon2 parameters, a mailer URL, a `From:` or a CA file it refuses.
pub fn services(
    store: DieselStore,
    settings: &Settings,
    mail_stats: Arc<MailStats>,
) -> Result<AppServices, StartError> {
    let hasher = Argon2Hasher::new(settings.argon2)
        .map_err(|e| StartError::Settings(format!("invalid argon2 parameters: {}", e.source)))?;
    let config = Config {
        plan_limits: settings.plan_limits,
        verification_url: Some(format!(
            "{}{}",
            settings.public_url.as_deref().map_or_else(
                || format!("http://{}", settings.bind),
                |u| u.trim_end_matches('/').to_owned()
            ),
            clientele_adapters_http::app::VERIFY_EMAIL_PATH
        )),
        ..Config::default()
    };
    let mailer: Arc<dyn Mailer> = match &settings.mailer_url {
        Some(url) => Arc::new(
            SmtpMailer::new(
                &SmtpConfig::from_url(url).map_err(StartError::Settings)?,
                &settings.mail_from,
                settings.mailer_ca_file.as_deref(),
                mail_stats,
            )
            .map_err(StartError::Settings)?,
        ),
        None => Arc::new(
            FileMailer::new(&settings.mail_dir, &settings.mail_from, mail_stats)
                .map_err(StartError::Settings)?,
        ),
    };
    Ok(Services::new(
        store,
        Arc::new(SystemClock),
        Arc::new(RandomIds),
        Arc::new(hasher),
        mailer,
        config,
    ))
}

/// The origins allowed on cookie-authenticated writes: `http://BIND`, `http://localhost:PORT`,
/// the origin of the public URL, and the configured ones.
#[must_use]
pub fn allowed_origins(
    bound: SocketAddr,
    public_url: Option<&str>,
    extra: &[String],
) -> Vec<String> {
    let mut origins = vec![
        format!("http://{bound}"),
        format!("http://localhost:{}", bound.port()),
    ];
    // The origin of the public URL: its scheme and authority, without a path.
    let public = public_url.map(|url| {
        let start = url.find("://").map_or(0, |i| i + 3);
        let end = url[start..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| start + i);
        url[..end].to_ascii_lowercase()
    });
    for o in public.iter().chain(extra) {
        let o = o.trim().trim_end_matches('/').to_owned();
        if !o.is_empty() && !origins.contains(&o) {
            origins.push(o);
        }
    }
    origins
}

/// A running server: its address, the use cases it serves, the bootstrap (when the database was
/// empty). Stops when dropped, or with [`RunningServer::stop`].
#[derive(Debug)]
pub struct RunningServer {
    /// The address actually bound: the port the system chose when [`Settings::bind`] asked for
    /// port 0.
    pub addr: SocketAddr,
    /// The use cases the server runs, on the same store: a test can set up or inspect data
    /// directly.
    pub services: Arc<AppServices>,
    /// The organization and management key created at start because the database had no
    /// organization; `None` otherwise. [`spawn`] does not print it: the key's secret is only
    /// here.
    pub bootstrap: Option<Bootstrap>,
    /// Where `/metrics` is served alone, when [`Settings::metrics_bind`] asked for it.
    pub metrics_addr: Option<SocketAddr>,
    handle: ServerHandle,
    metrics_handle: Option<ServerHandle>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// `http://ADDR`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops gracefully: in-flight requests finish.
    pub async fn stop(mut self) {
        self.handle.stop(true).await;
        if let Some(metrics) = self.metrics_handle.take() {
            metrics.stop(true).await;
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // Sends the stop command now; the workers finish on their own threads.
        drop(self.handle.stop(false));
        if let Some(metrics) = &self.metrics_handle {
            drop(metrics.stop(false));
        }
    }
}

/// A prepared server: bound, migrated, not yet running.
struct Prepared {
    server: actix_web::dev::Server,
    draining: Arc<std::sync::atomic::AtomicBool>,
    addr: SocketAddr,
    metrics_server: Option<(actix_web::dev::Server, SocketAddr)>,
    services: Arc<AppServices>,
    bootstrap: Option<Bootstrap>,
}

/// Actix's own signal handling is off: [`serve`] installs its handlers before announcing itself.
async fn prepare(settings: &Settings) -> Result<Prepared, StartError> {
    settings.check().map_err(StartError::Settings)?;
    // The mail settings, before anything is bound or migrated.
    check_mail_settings(settings)?;
    // The port first: a server that cannot listen must not bootstrap (its key would be printed
    // by a process that then exits, and the next start would print none).
    let listener = TcpListener::bind(settings.bind).map_err(|source| StartError::Bind {
        addr: settings.bind,
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: settings.bind,
        source,
    })?;
    // The metrics address too: a port that is taken must fail the start before the bootstrap.
    let metrics_listener = match settings.metrics_bind {
        None => None,
        Some(bind) => {
            let listener = TcpListener::bind(bind)
                .map_err(|source| StartError::Bind { addr: bind, source })?;
            let addr = listener
                .local_addr()
                .map_err(|source| StartError::Bind { addr: bind, source })?;
            Some((listener, addr, bind))
        }
    };
    let store = connect(&settings.database_url, pool_options(settings)).await?;
    if settings.migrate {
        let applied = store.migrate().await?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "applied migrations");
        }
    } else {
        let pending = store.pending_migrations().await?;
        if !pending.is_empty() {
            return Err(StartError::Settings(format!(
                "the database needs {} migration(s) ({}): run `clientele migrate` first, or start without --no-migrate",
                pending.len(),
                pending.join(", ")
            )));
        }
    }
    warn_about_exposure(settings, addr);
    let mail_stats = Arc::new(MailStats::default());
    let shared_limiter = store.shared_rate_limiter();
    let pool_metrics = PoolMetrics(store.clone());
    let services = Arc::new(services(store, settings, Arc::clone(&mail_stats))?);
    let bootstrap = services
        .accounts
        .bootstrap()
        .await
        .map_err(|e| StartError::Setup(format!("bootstrap failed: {e}")))?;
    let state = AppState::new(
        Arc::clone(&services),
        HttpSettings {
            allowed_origins: allowed_origins(
                addr,
                settings.public_url.as_deref(),
                &settings.allowed_origins,
            ),
            secure_cookies: settings.secure_cookies,
            rate_limits: RateLimits {
                create_per_minute: settings.create_rate_limit,
                other_per_minute: settings.rate_limit,
                auth_per_minute: settings.auth_rate_limit,
                login_per_minute: settings.login_rate_limit,
            },
            trusted_proxies: settings.trusted_proxies.clone(),
            serve_metrics: settings.metrics_bind.is_none(),
            body_timeout: Duration::from_millis(settings.request_timeout_ms),
            ..HttpSettings::default()
        },
    );
    // Behind several instances on one PostgreSQL database, one allowance for all of them.
    let state = match shared_limiter {
        Some(limiter) => state.with_rate_limiter(Arc::new(limiter)),
        None => state,
    };
    let draining = Arc::clone(&state.draining);
    state.metrics.add_source(mail_stats);
    state.metrics.add_source(Arc::new(pool_metrics));
    let metrics_server = match metrics_listener {
        None => None,
        Some((listener, metrics_addr, bind)) => {
            let state = state.clone();
            let server =
                HttpServer::new(move || clientele_adapters_http::metrics_app(state.clone()))
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .map_err(|source| StartError::Bind { addr: bind, source })?
                    .run();
            Some((server, metrics_addr))
        }
    };
    let mut server = HttpServer::new(move || clientele_adapters_http::app(state.clone()))
        .shutdown_timeout(settings.shutdown_timeout)
        .client_request_timeout(Duration::from_millis(settings.request_timeout_ms));
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    server = server.disable_signals();
    let server = server
        .listen(listener)
        .map_err(|source| StartError::Bind {
            addr: settings.bind,
            source,
        })?
        .run();
    Ok(Prepared {
        server,
        draining,
        addr,
        metrics_server,
        services,
        bootstrap,
    })
}

/// Starts a server in the background (tests, embedding): bound to `settings.bind` (use port 0),
/// migrated, bootstrapped. It stops when the returned value is dropped.
///
/// # Errors
/// Invalid settings, database or bind failures.
pub async fn spawn(settings: Settings) -> Result<RunningServer, StartError> {
    let prepared = prepare(&settings).await?;
    let handle = prepared.server.handle();
    let task = tokio::spawn(prepared.server);
    let (metrics_handle, metrics_addr) = match prepared.metrics_server {
        Some((server, addr)) => {
            let handle = server.handle();
            tokio::spawn(server);
            (Some(handle), Some(addr))
        }
        None => (None, None),
    };
    Ok(RunningServer {
        addr: prepared.addr,
        services: prepared.services,
        bootstrap: prepared.bootstrap,
        metrics_addr,
        handle,
        metrics_handle,
        task: Some(task),
    })
}

/// `clientele serve`: runs until SIGTERM/SIGINT, then stops accepting connections and lets
/// in-flight requests finish (up to the shutdown timeout). On an empty database the bootstrap
/// organization and key are printed once, on stderr.
///
/// # Errors
/// Invalid settings, database or bind failures, or the server's own I/O error.
pub async fn serve(settings: Settings) -> Result<(), StartError> {
    use tokio::signal::unix::{SignalKind, signal};
    let prepared = prepare(&settings).await?;
    // The handlers are installed before "listening" is logged, so a signal sent as soon as the
    // server is announced is always a graceful stop.
    let signal_error =
        |e: std::io::Error| StartError::Setup(format!("installing signal handlers: {e}"));
    let mut terminate = signal(SignalKind::terminate()).map_err(signal_error)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(signal_error)?;
    let handle = prepared.server.handle();
    let draining = Arc::clone(&prepared.draining);
    let delay = Duration::from_millis(settings.shutdown_delay_ms);
    let stopper = tokio::spawn(async move {
        let name = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        // Requests already on their way (sent on an open connection, queued for accept) are
        // answered: keep serving for a moment, reporting not-ready so a load balancer moves on,
        // then stop taking connections and let the in-flight requests finish.
        draining.store(true, std::sync::atomic::Ordering::SeqCst);
        tracing::info!(
            signal = name,
            delay_ms = delay.as_millis(),
            "shutting down: /ready is 503; answering what was already sent"
        );
        tokio::time::sleep(delay).await;
        tracing::info!("no longer accepting connections; finishing in-flight requests");
        handle.stop(true).await;
    });
    if let Some(b) = &prepared.bootstrap {
        hand_over_bootstrap(b, &settings);
    }
    let metrics = prepared.metrics_server.map(|(server, addr)| {
        tracing::info!(metrics = %addr, "serving /metrics");
        let handle = server.handle();
        tokio::spawn(server);
        handle
    });
    tracing::info!(addr = %prepared.addr, database = %prepared.services.store().database(), "listening");
    let purge = tokio::spawn(purge_expired(Arc::clone(&prepared.services)));
    let result = prepared.server.await;
    purge.abort();
    stopper.abort();
    if let Some(metrics) = metrics {
        metrics.stop(true).await;
    }
    tracing::info!("stopped");
    result.map_err(|e| StartError::Setup(format!("server error: {e}")))
}

/// Gives the operator the bootstrap key, once: into `--bootstrap-key-file` (mode 0600) when set,
/// else on stderr — one JSON object under `--log-format json`, so that the stream stays JSON.
/// A key file that cannot be written falls back to stderr: the key is never lost.
#[allow(clippy::print_stderr)]
fn hand_over_bootstrap(b: &Bootstrap, settings: &Settings) {
    let org = &b.organization;
    if let Some(path) = &settings.bootstrap_key_file {
        match write_key_file(path, b.secret.expose()) {
            Ok(()) => {
                tracing::info!(
                    organization_id = %org.id,
                    path = %path.display(),
                    "created the Default organization; its management API key is in the bootstrap key file"
                );
                return;
            }
            Err(e) => tracing::error!(
                path = %path.display(),
                error = %e,
                "cannot write the bootstrap key file; the key follows on stderr"
            ),
        }
    }
    // Deliberately not a log line: the key is shown once, to the operator. A stderr that cannot
    // be written to is reported in the log (which may reach nobody either), never a panic.
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let written = match settings.log_format {
        crate::cli::LogFormat::Json => writeln!(
            err,
            "{}",
            serde_json::json!({
                "bootstrap": {
                    "organization_id": org.id.to_string(),
                    "organization_name": org.name.as_str(),
                    "plan": org.plan.to_string(),
                    "api_key": b.secret.expose(),
                }
            })
        ),
        crate::cli::LogFormat::Text => writeln!(
            err,
            "Created organization \"{}\" ({}) on the {} plan.\n\
             Management API key (shown once; store it now): {}",
            org.name,
            org.id,
            org.plan,
            b.secret.expose()
        ),
    };
    if let Err(e) = written {
        tracing::error!(error = %e, "the bootstrap key could not be written to stderr; use --bootstrap-key-file");
    }
}

/// Writes `key` and a newline to `path`, readable by the owner only (an existing file is
/// replaced, and its mode set to 0600 before the key is written).
fn write_key_file(path: &std::path::Path, key: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(format!("{key}\n").as_bytes())?;
    file.sync_all()
}

/// Deletes expired `Idempotency-Key` records, sessions and verification tokens every hour (one
/// instance at a time: the store's lock).
async fn purge_expired(services: Arc<AppServices>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match services.purge_expired().await {
            Ok(None) => tracing::debug!("another instance is purging expired records"),
            Ok(Some(p)) if p == clientele_ports::Purged::default() => {}
            Ok(Some(p)) => tracing::info!(
                idempotency = p.idempotency,
                sessions = p.sessions,
                verifications = p.verifications,
                "expired records deleted"
            ),
            Err(e) => tracing::warn!(error = %e, "purging expired records failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_urls_origin_is_allowed() {
        let bound = SocketAddr::from(([0, 0, 0, 0], 8080));
        let origins = allowed_origins(
            bound,
            Some("https://Clients.Example.com/app/?x=1"),
            &[
                "https://other.example/".to_owned(),
                "https://clients.example.com".to_owned(),
            ],
        );
        assert_eq!(
            origins,
            [
                "http://0.0.0.0:8080",
                "http://localhost:8080",
                "https://clients.example.com",
                "https://other.example",
            ]
        );
        assert_eq!(allowed_origins(bound, None, &[]).len(), 2);
    }
}
