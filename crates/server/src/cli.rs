//! The command line: `clientele serve | migrate | orgs ... | keys ...`. Every flag has a
//! `CLIENTELE_*` environment variable, shown by `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;

use argon2::Params;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clientele_adapters_diesel::PoolOptions;
use clientele_adapters_http::RateLimits;

/// Clientele: a multi-tenant registry of an agency's clients.
#[derive(Debug, Parser)]
#[command(name = "clientele", version, about, propagate_version = true)]
pub struct Cli {
    /// The settings every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every subcommand takes (they may be given before or after the subcommand).
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Database URL: `sqlite://PATH` (created when missing) or `postgres://...`.
    #[arg(
        long,
        global = true,
        env = "CLIENTELE_DATABASE_URL",
        default_value = "sqlite://clientele.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Most database connections in the pool.
    #[arg(long, global = true, env = "CLIENTELE_POOL_SIZE", default_value_t = PoolOptions::DEFAULT_MAX_SIZE)]
    pub pool_size: u32,
    /// How long a request waits for a database connection before a 503, in milliseconds.
    #[arg(
        long,
        global = true,
        env = "CLIENTELE_POOL_TIMEOUT_MS",
        default_value_t = PoolOptions::DEFAULT_TIMEOUT_MS
    )]
    pub pool_timeout_ms: u64,
    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        env = "CLIENTELE_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    /// Log filter (tracing-subscriber's `EnvFilter` syntax), e.g. `info` or `warn,clientele=debug`.
    /// Default: `info` for `serve`; `off` for the administration commands, whose stderr is then
    /// only their one-line error.
    #[arg(long, global = true, env = "CLIENTELE_LOG")]
    pub log: Option<String>,
    /// argon2id memory cost, in KiB.
    #[arg(
        long,
        global = true,
        env = "CLIENTELE_ARGON2_MEMORY_KIB",
        default_value_t = Params::DEFAULT_M_COST
    )]
    pub argon2_memory_kib: u32,
    /// argon2id passes.
    #[arg(
        long,
        global = true,
        env = "CLIENTELE_ARGON2_ITERATIONS",
        default_value_t = Params::DEFAULT_T_COST
    )]
    pub argon2_iterations: u32,
    /// argon2id lanes.
    #[arg(
        long,
        global = true,
        env = "CLIENTELE_ARGON2_PARALLELISM",
        default_value_t = Params::DEFAULT_P_COST
    )]
    pub argon2_parallelism: u32,
    /// A plan's client limit, `PLAN=N` or `PLAN=unlimited` (repeatable). Defaults: free=3,
    /// starter=5, professional=15, agency=50, enterprise=unlimited.
    #[arg(
        long = "plan-limit",
        global = true,
        env = "CLIENTELE_PLAN_LIMITS",
        value_delimiter = ',',
        value_name = "PLAN=N"
    )]
    pub plan_limits: Vec<String>,
}

/// `text` for people, `json` for log collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    // Not `///`: clap would show a variant's doc comment as its help in `--help`, which switches
    // every help page to the long layout. clap reads only literal doc strings, so these are
    // rustdoc's alone.
    #[doc = concat!("Plain text lines, without colours.")]
    Text,
    #[doc = concat!("One JSON object per line, with the current span.")]
    Json,
}

/// The subcommands of `clientele`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve(ServeArgs),
    /// Apply pending migrations; prints `{"applied": [...]}`.
    Migrate,
    /// Organizations (tenants).
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// Management API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// App API users.
    #[command(subcommand)]
    Users(UsersCommand),
}

/// `clientele serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CLIENTELE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// `POST /v1/clients` requests a minute per API key (0: no limit).
    #[arg(long, env = "CLIENTELE_CREATE_RATE_LIMIT", default_value_t = RateLimits::DEFAULT_CREATE_PER_MINUTE)]
    pub create_rate_limit: u32,
    /// Other requests a minute per API key (0: no limit).
    #[arg(long, env = "CLIENTELE_RATE_LIMIT", default_value_t = RateLimits::DEFAULT_OTHER_PER_MINUTE)]
    pub rate_limit: u32,
    /// Log-in, sign-up, verify-email and resend-verification requests a minute per client
    /// address (0: no limit).
    #[arg(long, env = "CLIENTELE_AUTH_RATE_LIMIT", default_value_t = RateLimits::DEFAULT_AUTH_PER_MINUTE)]
    pub auth_rate_limit: u32,
    /// Log-in, sign-up and resend-verification requests a minute per account email (0: no
    /// limit).
    #[arg(long, env = "CLIENTELE_LOGIN_RATE_LIMIT", default_value_t = RateLimits::DEFAULT_LOGIN_PER_MINUTE)]
    pub login_rate_limit: u32,
    /// A reverse proxy (IP address or CIDR) whose `X-Forwarded-For` gives the client's address
    /// (repeatable); from any other peer the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "CLIENTELE_TRUSTED_PROXY",
        value_delimiter = ',',
        value_name = "IP_OR_CIDR"
    )]
    pub trusted_proxies: Vec<String>,
    /// Serve `GET /metrics` on this address only (e.g. 127.0.0.1:9090), not on `--bind`.
    #[arg(long, env = "CLIENTELE_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
    /// Write the first start's management API key to this file (created with mode 0600)
    /// instead of printing it on stderr.
    #[arg(long, env = "CLIENTELE_BOOTSTRAP_KEY_FILE")]
    pub bootstrap_key_file: Option<PathBuf>,
    /// An origin allowed on cookie-authenticated writes, besides `http://BIND` and
    /// `http://localhost:PORT` (repeatable).
    #[arg(
        long = "allowed-origin",
        env = "CLIENTELE_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Directory the mailer writes `.eml` files into.
    #[arg(long, env = "CLIENTELE_MAIL_DIR", default_value = "./mail")]
    pub mail_dir: PathBuf,
    /// Send mail over SMTP instead: `smtp://[user:password@]host[:port]` (STARTTLS when the
    /// server offers it; `?tls=required` to insist, `?tls=none` for a local relay) or
    /// `smtps://...` (TLS from the first byte). Without it, messages are `.eml` files in
    /// `--mail-dir`.
    #[arg(long, env = "CLIENTELE_MAILER_URL", hide_env_values = true)]
    pub mailer_url: Option<String>,
    /// A PEM file of certificate authorities to trust for the SMTP server, besides the
    /// system's (a private relay).
    #[arg(long, env = "CLIENTELE_MAILER_CA_FILE")]
    pub mailer_ca_file: Option<PathBuf>,
    /// The `From:` of outgoing mail.
    #[arg(long, env = "CLIENTELE_MAIL_FROM", default_value = crate::mail::DEFAULT_FROM)]
    pub mail_from: String,
    /// Mark session cookies `Secure` (serve behind HTTPS).
    #[arg(long, env = "CLIENTELE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Public base URL of the web app, for links in emails (default: `http://BIND`).
    #[arg(long, env = "CLIENTELE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// HTTP worker threads (default: the number of CPUs).
    #[arg(long, env = "CLIENTELE_WORKERS")]
    pub workers: Option<usize>,
    /// Seconds in-flight requests get to finish on SIGTERM/SIGINT.
    #[arg(long, env = "CLIENTELE_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,
    /// Milliseconds the server keeps serving after SIGTERM/SIGINT before it stops taking
    /// connections (`/ready` answers 503 meanwhile), so requests already sent are answered.
    #[arg(long, env = "CLIENTELE_SHUTDOWN_DELAY_MS", default_value_t = 1000)]
    pub shutdown_delay_ms: u64,
    /// Milliseconds a client gets to send a request's head, and then its body: 408 past them.
    #[arg(long, env = "CLIENTELE_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Do not apply pending migrations at start (for deployments that run `clientele migrate`
    /// as a separate step): refuse to start while any is pending.
    #[arg(long, env = "CLIENTELE_NO_MIGRATE")]
    pub no_migrate: bool,
}

/// `clientele orgs ...`, run by [`crate::admin::orgs`].
#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// Create an organization; prints it.
    Create {
        /// The organization's name (trimmed, 1–200 characters).
        #[arg(long)]
        name: String,
        /// free, starter, professional, agency or enterprise.
        #[arg(long, default_value = "free")]
        plan: String,
    },
    /// List organizations; prints `{"organizations": [...]}`.
    List,
    /// Change an organization's plan; prints it.
    SetPlan {
        /// The organization's id (a UUID).
        #[arg(long)]
        org: String,
        /// The new plan: free, starter, professional, agency or enterprise.
        #[arg(long)]
        plan: String,
    },
}

/// `clientele keys ...`, run by [`crate::admin::keys`].
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; prints it with the key itself (the only time it is shown).
    Create {
        /// The id of the organization the key acts for (a UUID).
        #[arg(long)]
        org: String,
        /// The key's label (trimmed, 1–100 characters).
        #[arg(long, default_value = "default")]
        name: String,
        /// production or sandbox.
        #[arg(long, default_value = "production")]
        environment: String,
    },
    /// List an organization's keys (prefixes, never the keys); prints `{"keys": [...]}`.
    List {
        /// The organization's id (a UUID).
        #[arg(long)]
        org: String,
    },
    /// Revoke a key; prints its record with `revoked_at`.
    Revoke {
        /// The key's id (a UUID), as `keys create` and `keys list` print it.
        #[arg(long)]
        id: String,
    },
}

/// `clientele users ...`, run by [`crate::admin::users`].
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user; prints it. Without `--org`, in a new organization on the free plan.
    Create {
        /// The login email (at most 255 characters); no other user may have it.
        #[arg(long)]
        email: String,
        /// 8–128 characters.
        #[arg(long, env = "CLIENTELE_USER_PASSWORD", hide_env_values = true)]
        password: String,
        /// The organization to join (a UUID).
        #[arg(long)]
        org: Option<String>,
        /// The display name (trimmed, 1–255 characters; blank means none).
        #[arg(long)]
        name: Option<String>,
        /// Mark the email verified.
        #[arg(long)]
        verified: bool,
        /// FREE or PAID_TRIAL.
        #[arg(long, default_value = "FREE")]
        signup_flow: String,
    },
    /// Change a user's verification, signup flow, subscription or trial end; prints the user.
    Update {
        /// The login email of the user to change.
        #[arg(long)]
        email: String,
        /// Mark the email verified.
        #[arg(long, conflicts_with = "unverified")]
        verified: bool,
        /// Mark the email not verified.
        #[arg(long)]
        unverified: bool,
        /// FREE or PAID_TRIAL.
        #[arg(long)]
        signup_flow: Option<String>,
        /// none, active, past_due or canceled.
        #[arg(long)]
        subscription: Option<String>,
        /// When the trial ends (RFC 3339), or `none` to clear it.
        #[arg(long)]
        plan_expires: Option<String>,
    },
}
