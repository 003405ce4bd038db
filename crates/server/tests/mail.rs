//! The SMTP mailer against a real SMTP server on 127.0.0.1 speaking TLS (STARTTLS or from the
//! first byte) with a certificate from a test CA (`tests/fixtures/tls`), which the mailer trusts
//! through `--mailer-ca-file`'s setting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::Engine as _;
use clientele_domain::{Email, Field};
use clientele_ports::{Mailer as _, Message};
use clientele_server::mail::{MailOutcome, MailStats};
use clientele_server::smtp::{SmtpConfig, SmtpMailer};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Security {
    /// No TLS at all.
    None,
    /// STARTTLS offered after EHLO.
    Upgrade,
    /// TLS from the first byte.
    Implicit,
}

#[derive(Clone, Copy)]
struct Spec {
    tls: Security,
    /// `server` (signed by the test CA) or `rogue` (self-signed, untrusted).
    cert: &'static str,
    /// The reply to `RCPT TO`.
    rcpt_reply: &'static str,
}

const GOOD: Spec = Spec {
    tls: Security::Upgrade,
    cert: "server",
    rcpt_reply: "250 2.1.5 OK",
};

/// What the server saw of one message.
#[derive(Debug, Clone, Default)]
struct Received {
    /// Whether the connection was encrypted when the message was sent.
    tls: bool,
    /// The decoded `AUTH PLAIN` response (`\0user\0password`), when there was one.
    auth: Option<String>,
    data: String,
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<native_tls::TlsStream<TcpStream>>),
}

impl Conn {
    fn write_line(&mut self, line: &str) {
        let bytes = format!("{line}\r\n");
        let _ = match self {
            Conn::Plain(s) => s.write_all(bytes.as_bytes()),
            Conn::Tls(s) => s.write_all(bytes.as_bytes()),
        };
    }

    fn read_line(&mut self) -> Option<String> {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            let n = match self {
                Conn::Plain(s) => s.read(&mut byte),
                Conn::Tls(s) => s.read(&mut byte),
            }
            .ok()?;
            if n == 0 {
                return None;
            }
            line.push(byte[0]);
            if line.ends_with(b"\r\n") {
                line.truncate(line.len() - 2);
                return Some(String::from_utf8_lossy(&line).into_owned());
            }
        }
    }
}

/// A small SMTP server (RFC 5321's happy path, STARTTLS, AUTH PLAIN) on its own thread; stops
/// when dropped.
struct SmtpServer {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
}

impl SmtpServer {
    fn start(spec: Spec) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let identity = native_tls::Identity::from_pkcs8(
            &std::fs::read(fixture(&format!("{}.pem", spec.cert))).unwrap(),
            &std::fs::read(fixture(&format!("{}.key", spec.cert))).unwrap(),
        )
        .unwrap();
        let acceptor = Arc::new(native_tls::TlsAcceptor::new(identity).unwrap());
        {
            let received = Arc::clone(&received);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let received = Arc::clone(&received);
                    let acceptor = Arc::clone(&acceptor);
                    thread::spawn(move || session(stream, spec, &acceptor, &received));
                }
            });
        }
        Self {
            port,
            received,
            stop,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn session(
    stream: TcpStream,
    spec: Spec,
    acceptor: &native_tls::TlsAcceptor,
    received: &Mutex<Vec<Received>>,
) {
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut conn = if spec.tls == Security::Implicit {
        match acceptor.accept(stream) {
            Ok(s) => Conn::Tls(Box::new(s)),
            Err(_) => return,
        }
    } else {
        Conn::Plain(stream)
    };
    let mut auth = None;
    conn.write_line("220 test.invalid ESMTP");
    while let Some(line) = conn.read_line() {
        let upper = line.to_ascii_uppercase();
        let tls = matches!(conn, Conn::Tls(_));
        if upper.starts_with("EHLO") {
            conn.write_line("250-test.invalid");
            if spec.tls == Security::Upgrade && !tls {
                conn.write_line("250-STARTTLS");
            }
            conn.write_line("250-8BITMIME");
            conn.write_line("250 AUTH PLAIN");
        } else if upper == "STARTTLS" && spec.tls == Security::Upgrade && !tls {
            conn.write_line("220 2.0.0 go ahead");
            let Conn::Plain(plain) = conn else {
                unreachable!()
            };
            match acceptor.accept(plain) {
                Ok(s) => conn = Conn::Tls(Box::new(s)),
                // The client refused the certificate.
                Err(_) => return,
            }
        } else if let Some(token) = line.strip_prefix("AUTH PLAIN ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(token.trim())
                .unwrap();
            auth = Some(String::from_utf8(decoded).unwrap());
            conn.write_line("235 2.7.0 authenticated");
        } else if upper.starts_with("RCPT TO") {
            conn.write_line(spec.rcpt_reply);
        } else if upper == "DATA" {
            conn.write_line("354 end with .");
            let mut data = String::new();
            while let Some(l) = conn.read_line() {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push_str("\r\n");
            }
            received.lock().unwrap().push(Received {
                tls,
                auth: auth.clone(),
                data,
            });
            conn.write_line("250 2.0.0 queued");
        } else if upper == "QUIT" {
            conn.write_line("221 2.0.0 bye");
            return;
        } else {
            // MAIL FROM, RSET, NOOP.
            conn.write_line("250 2.0.0 OK");
        }
    }
}

fn message() -> Message {
    Message {
        to: Email::parse(Field::Email, "ann@example.com").unwrap(),
        subject: "Verify your email address".to_owned(),
        text: "Open https://clients.example.com/verify-email?token=T0KEN\r\n".to_owned(),
    }
}

fn mailer(url: &str, stats: &Arc<MailStats>) -> SmtpMailer {
    SmtpMailer::new(
        &SmtpConfig::from_url(url).unwrap(),
        "Clientele <no-reply@example.com>",
        Some(&fixture("ca.pem")),
        Arc::clone(stats),
    )
    .unwrap()
}

#[tokio::test]
async fn starttls_then_auth_then_the_message() {
    let server = SmtpServer::start(GOOD);
    let stats = Arc::new(MailStats::default());
    let url = format!(
        "smtp://ann%40example.com:s3cr%3At@127.0.0.1:{}",
        server.port
    );
    mailer(&url, &stats).send(message()).await.unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls, "the message went over TLS");
    assert_eq!(
        got[0].auth.as_deref(),
        Some("\0ann@example.com\0s3cr:t"),
        "AUTH with the URL's decoded user and password, after STARTTLS"
    );
    assert!(
        got[0]
            .data
            .contains("Subject: Verify your email address\r\n")
    );
    assert!(got[0].data.contains("verify-email?token=T0KEN\r\n"));
    assert_eq!(stats.count(MailOutcome::Sent), 1);
}

#[tokio::test]
async fn smtps_is_tls_from_the_first_byte() {
    let server = SmtpServer::start(Spec {
        tls: Security::Implicit,
        ..GOOD
    });
    let stats = Arc::new(MailStats::default());
    mailer(&format!("smtps://127.0.0.1:{}", server.port), &stats)
        .send(message())
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].tls);
    assert_eq!(got[0].auth, None, "no user in the URL: no AUTH");
}

#[tokio::test]
async fn tls_required_refuses_a_server_without_starttls() {
    let server = SmtpServer::start(Spec {
        tls: Security::None,
        ..GOOD
    });
    let stats = Arc::new(MailStats::default());
    let url = format!("smtp://ann:secret@127.0.0.1:{}?tls=required", server.port);
    let err = mailer(&url, &stats).send(message()).await.unwrap_err();
    assert_eq!(err.what, "sending mail");
    assert!(server.received().is_empty(), "nothing sent in clear");
    assert_eq!(stats.count(MailOutcome::Sent), 0);
    // Without `tls=required`, a server without STARTTLS gets the message in clear (a relay).
    let url = format!("smtp://127.0.0.1:{}", server.port);
    mailer(&url, &stats).send(message()).await.unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(!got[0].tls);
}

#[tokio::test]
async fn a_certificate_no_authority_vouches_for_is_refused() {
    let server = SmtpServer::start(Spec {
        cert: "rogue",
        ..GOOD
    });
    let stats = Arc::new(MailStats::default());
    let url = format!("smtp://ann:secret@127.0.0.1:{}", server.port);
    let err = mailer(&url, &stats).send(message()).await.unwrap_err();
    assert!(
        !clientele_ports::error_chain(&err).contains("secret"),
        "{err}"
    );
    assert!(server.received().is_empty());
    assert_eq!(stats.count(MailOutcome::Error), 1);
    let smtps = SmtpServer::start(Spec {
        tls: Security::Implicit,
        cert: "rogue",
        ..GOOD
    });
    mailer(&format!("smtps://127.0.0.1:{}", smtps.port), &stats)
        .send(message())
        .await
        .unwrap_err();
    assert!(smtps.received().is_empty());
}

#[tokio::test]
async fn transient_and_permanent_refusals_are_told_apart() {
    let stats = Arc::new(MailStats::default());
    let busy = SmtpServer::start(Spec {
        rcpt_reply: "451 4.3.0 try again later",
        ..GOOD
    });
    mailer(&format!("smtp://127.0.0.1:{}", busy.port), &stats)
        .send(message())
        .await
        .unwrap_err();
    assert_eq!(stats.count(MailOutcome::TransientFailure), 1);
    let gone = SmtpServer::start(Spec {
        rcpt_reply: "550 5.1.1 no such user",
        ..GOOD
    });
    mailer(&format!("smtp://127.0.0.1:{}", gone.port), &stats)
        .send(message())
        .await
        .unwrap_err();
    assert_eq!(stats.count(MailOutcome::PermanentFailure), 1);
    assert_eq!(stats.count(MailOutcome::Sent), 0);
    let mut text = String::new();
    clientele_adapters_http::MetricsSource::render(&*stats, &mut text);
    assert!(text.contains("clientele_mail_messages_total{result=\"transient_failure\"} 1"));
    assert!(text.contains("clientele_mail_messages_total{result=\"permanent_failure\"} 1"));
}

/// A server that accepts and then never answers (no greeting; or no TLS handshake after
/// STARTTLS's 220, or on smtps) ends the message as an error within the mailer's deadline, never
/// a hang.
#[tokio::test]
async fn a_server_that_never_answers_is_an_error_not_a_hang() {
    for (scheme, greet) in [("smtp", false), ("smtps", false), ("smtp", true)] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = thread::spawn(move || {
            // Keep the connection open and say nothing (or only what comes before TLS).
            let (mut stream, _) = listener.accept().unwrap();
            if greet {
                stream.write_all(b"220 t ESMTP\r\n").unwrap();
                let mut buf = [0u8; 256];
                let _ = stream.read(&mut buf);
                stream.write_all(b"250-t\r\n250 STARTTLS\r\n").unwrap();
                let _ = stream.read(&mut buf);
                stream.write_all(b"220 go ahead\r\n").unwrap();
            }
            thread::sleep(std::time::Duration::from_secs(2));
            drop(stream);
        });
        let stats = Arc::new(MailStats::default());
        let mut config = SmtpConfig::from_url(&format!("{scheme}://127.0.0.1:{port}")).unwrap();
        config.timeout = std::time::Duration::from_millis(300);
        let mailer = SmtpMailer::new(
            &config,
            "Clientele <no-reply@example.com>",
            Some(&fixture("ca.pem")),
            Arc::clone(&stats),
        )
        .unwrap();
        let started = std::time::Instant::now();
        let err = mailer.send(message()).await.unwrap_err();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{scheme} (greeting: {greet}): {:?}",
            started.elapsed()
        );
        assert_eq!(err.what, "sending mail");
        assert_eq!(stats.count(MailOutcome::Error), 1);
        hold.join().unwrap();
    }
}
