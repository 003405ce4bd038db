//! `clientele`: see `clientele --help`.

use std::process::ExitCode;

use clap::Parser as _;
use clientele_server::cli::{Cli, Command, GlobalArgs};
use clientele_server::run::{AppServices, open_store_for_command, serve, services};
use clientele_server::settings::Settings;
use clientele_server::{admin, telemetry};
use serde_json::{Value, json};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let default_log = if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "off"
    };
    let logs = telemetry::init(
        cli.global.log_format,
        cli.global.log.as_deref().unwrap_or(default_log),
    );
    let result = match (logs, cli.command) {
        (Err(e), _) => Err(e),
        (Ok(()), command) => run(&cli.global, command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            #[allow(clippy::print_stderr)]
            {
                let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
                eprintln!("error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Runs one subcommand.
async fn run(global: &GlobalArgs, command: Command) -> Result<(), String> {
    match command {
        Command::Serve(args) => match Settings::from_args(global, &args) {
            Ok(settings) => serve(settings).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        },
        Command::Migrate => migrate(global).await.map(print),
        Command::Orgs(cmd) => match admin_services(global).await {
            Ok(s) => admin::orgs(&s, cmd).await.map(print),
            Err(e) => Err(e),
        },
        Command::Keys(cmd) => match admin_services(global).await {
            Ok(s) => admin::keys(&s, cmd).await.map(print),
            Err(e) => Err(e),
        },
        Command::Users(cmd) => match admin_services(global).await {
            Ok(s) => admin::users(&s, cmd).await.map(print),
            Err(e) => Err(e),
        },
    }
}

/// `--help` and `--version` print as usual; a usage error is one line on stderr (scripts depend on
/// it), with clap's exit code.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    let text = e.render().to_string();
    let line = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{line}");
    }
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// The one JSON object a subcommand prints: the only legitimate use of stdout.
#[allow(clippy::print_stdout)]
fn print(value: Value) {
    println!("{value}");
}

async fn migrate(global: &GlobalArgs) -> Result<Value, String> {
    let (_, applied) = open_for_command(global).await?;
    Ok(json!({ "applied": applied }))
}

/// The store of an administration command, migrated. When that creates a new SQLite file (the
/// default URL is relative: a command run from another directory makes a new database there),
/// one line on stderr says where.
async fn open_for_command(
    global: &GlobalArgs,
) -> Result<(clientele_adapters_diesel::DieselStore, Vec<String>), String> {
    let url = global.database_url.trim();
    let file =
        (!url.starts_with("postgres") && !url.contains(":memory:") && !url.starts_with("file:"))
            .then(|| {
                url.trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:")
            })
            .map(std::path::PathBuf::from)
            .filter(|path| !path.exists());
    let opened = open_store_for_command(
        url,
        std::time::Duration::from_millis(global.pool_timeout_ms),
    )
    .await
    .map_err(|e| e.to_string())?;
    if let Some(path) = file.filter(|p| p.exists()) {
        let shown = std::fs::canonicalize(&path).unwrap_or(path);
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "note: created a new SQLite database at {} (--database-url names another)",
                shown.display()
            );
        }
    }
    Ok(opened)
}

/// The use cases for an administration subcommand (migrating first).
async fn admin_services(global: &GlobalArgs) -> Result<AppServices, String> {
    let settings = Settings::for_command(global)?;
    let (store, _) = open_for_command(global).await?;
    services(store, &settings, std::sync::Arc::default()).map_err(|e| e.to_string())
}
