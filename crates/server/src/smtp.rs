//! A minimal SMTP client (RFC 5321) for the mailer port: plain TCP, optional `AUTH PLAIN`.
//!
//! Selected by a `smtp://[user:password@]host[:port]` mailer URL. It speaks just what sending one
//! message needs — greeting, EHLO (HELO fallback), AUTH PLAIN, MAIL FROM, RCPT TO, DATA with
//! dot-stuffing, QUIT — with a timeout on every read and write. See docs/decisions/0005-mail.md for
//! why this is not lettre.

use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use async_trait::async_trait;
use clientele_ports::{InfraError, Mailer, Message};
use time::OffsetDateTime;

use crate::mail::{base64, render_message};

/// Where and as whom to send.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name or IP address (never empty from [`Self::from_url`]); resolved at
    /// every send, and the first address is used.
    pub host: String,
    /// The server's TCP port (25 when the URL gives none).
    pub port: u16,
    /// `(user, password)` for `AUTH PLAIN`, `%XX`-decoded from the URL (a user without `:` has
    /// an empty password); `None`: no authentication. `Debug` shows the user, never the
    /// password.
    pub credentials: Option<(String, String)>,
    /// The limit on connecting and on every read and write (10 seconds from
    /// [`Self::from_url`]).
    pub timeout: Duration,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Parses `smtp://[user:password@]host[:port]` (default port 25; `%XX` escapes in the user
    /// and password are decoded).
    ///
    /// # Errors
    /// A one-line description of what is wrong with the URL (never echoing the password).
    pub fn from_url(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| "mailer URL must start with smtp://".to_owned())?;
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let credentials = match userinfo {
            None => None,
            Some(u) => {
                let (user, pass) = u.split_once(':').unwrap_or((u, ""));
                Some((percent_decode(user)?, percent_decode(pass)?))
            }
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("invalid SMTP port {p:?}"))?,
            ),
            None => (hostport, 25),
        };
        if host.is_empty() {
            return Err("mailer URL has no host".to_owned());
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            credentials,
            timeout: Duration::from_secs(10),
        })
    }

    /// Sends one message (`data`: the RFC 5322 text with CRLF line ends) from `from` to `to`.
    /// Blocking: call it off the async executor.
    ///
    /// # Errors
    /// Connection and protocol errors, with the server's reply when it refused a step.
    pub fn send(&self, from: &str, to: &str, data: &[u8]) -> io::Result<()> {
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "SMTP host did not resolve"))?;
        let stream = TcpStream::connect_timeout(&addr, self.timeout)?;
        stream.set_read_timeout(Some(self.timeout))?;
        stream.set_write_timeout(Some(self.timeout))?;
        let mut session = Session {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        };
        session.expect(220)?;
        if session.command("EHLO clientele", 250).is_err() {
            session.command("HELO clientele", 250)?;
        }
        if let Some((user, pass)) = &self.credentials {
            let token = base64(format!("\0{user}\0{pass}").as_bytes());
            session.command(&format!("AUTH PLAIN {token}"), 235)?;
        }
        session.command(&format!("MAIL FROM:<{from}>"), 250)?;
        session.command(&format!("RCPT TO:<{to}>"), 250)?;
        session.command("DATA", 354)?;
        session.writer.write_all(&dot_stuff(data))?;
        session.command(".", 250)?;
        // The message is accepted; a failed QUIT does not unsend it.
        let _ = session.command("QUIT", 221);
        Ok(())
    }
}

/// The mailer port over SMTP: the same RFC 5322 text the `.eml` adapter writes, sent on the
/// blocking pool.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    config: SmtpConfig,
    from: String,
}

impl SmtpMailer {
    /// `from` is the `From:` header (`Name <address>` or an address); its address is the envelope
    /// sender.
    #[must_use]
    pub fn new(config: SmtpConfig, from: impl Into<String>) -> Self {
        Self {
            config,
            from: from.into(),
        }
    }
}

/// The address part of `Name <address>`.
fn envelope_address(from: &str) -> &str {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(start), Some(end)) if start < end => &from[start + 1..end],
        _ => from.trim(),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), InfraError> {
        let id = format!("{}@clientele", uuid::Uuid::new_v4());
        let data = render_message(&self.from, &message, OffsetDateTime::now_utc(), &id);
        let (config, from, to) = (
            self.config.clone(),
            envelope_address(&self.from).to_owned(),
            message.to.as_str().to_owned(),
        );
        let sent = tokio::task::spawn_blocking(move || config.send(&from, &to, &data)).await;
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| InfraError {
            what: "sending mail over SMTP",
            source: e,
        };
        match sent {
            Ok(Ok(())) => {
                tracing::info!(to = %message.to, subject = %message.subject, "mail sent");
                Ok(())
            }
            Ok(Err(e)) => Err(fail(Box::new(e))),
            Err(e) => Err(fail(Box::new(e))),
        }
    }
}

struct Session {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Session {
    fn command(&mut self, line: &str, expected: u16) -> io::Result<()> {
        self.writer.write_all(line.as_bytes())?;
        self.writer.write_all(b"\r\n")?;
        self.writer.flush()?;
        self.expect(expected)
    }

    /// Reads one (possibly multi-line) reply and checks its code.
    fn expect(&mut self, expected: u16) -> io::Result<()> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "SMTP server closed the connection",
                ));
            }
            // "250-..." continues, "250 ..." ends a reply.
            if line.as_bytes().get(3) != Some(&b'-') {
                break;
            }
        }
        let code: u16 = line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        if code == expected {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "SMTP server answered {:?}, expected {expected}",
                line.trim_end()
            )))
        }
    }
}

/// CRLF-terminates the message and doubles a leading `.` on every line (RFC 5321 §4.5.2).
fn dot_stuff(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    let mut at_line_start = true;
    for &b in data {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or("invalid %-escape in mailer URL")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "invalid %-escape in mailer URL")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "mailer URL credentials are not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::net::TcpListener;
    use std::thread;

    use super::*;

    #[test]
    fn parses_urls_without_showing_the_password() {
        let c = SmtpConfig::from_url("smtp://me%40x.io:p%3Ass@mail.local:2525").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("mail.local", 2525));
        assert_eq!(c.credentials, Some(("me@x.io".into(), "p:ss".into())));
        assert!(!format!("{c:?}").contains("p:ss"));
        assert_eq!(SmtpConfig::from_url("smtp://localhost").unwrap().port, 25);
        assert!(SmtpConfig::from_url("http://x").is_err());
        assert!(SmtpConfig::from_url("smtp://:25").is_err());
        assert!(SmtpConfig::from_url("smtp://h:notaport").is_err());
    }

    #[test]
    fn dot_stuffing_and_envelope() {
        assert_eq!(base64(b"\0u\0p"), "AHUAcA==");
        assert_eq!(
            envelope_address("Clientele <no-reply@x.io>"),
            "no-reply@x.io"
        );
        assert_eq!(envelope_address(" a@b.co "), "a@b.co");
        assert_eq!(dot_stuff(b".a\r\n..b\r\nc.d"), b"..a\r\n...b\r\nc.d\r\n");
    }

    /// A scripted SMTP server: answers each command and records what it received.
    fn fake_server(auth: bool) -> (u16, thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut w = stream;
            let mut transcript = String::new();
            w.write_all(b"220 fake ESMTP\r\n").unwrap();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                transcript.push_str(&line);
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        w.write_all(b"250 queued\r\n").unwrap();
                    }
                    continue;
                }
                let reply: &[u8] = match line.get(..4).unwrap_or("") {
                    "EHLO" => b"250-fake\r\n250 AUTH PLAIN\r\n",
                    "AUTH" if auth => b"235 ok\r\n",
                    "AUTH" => b"535 no\r\n",
                    "MAIL" | "RCPT" => b"250 ok\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go\r\n"
                    }
                    "QUIT" => {
                        w.write_all(b"221 bye\r\n").unwrap();
                        break;
                    }
                    _ => b"500 what\r\n",
                };
                w.write_all(reply).unwrap();
            }
            transcript
        });
        (port, handle)
    }

    #[test]
    fn sends_a_message_through_a_server() {
        let (port, server) = fake_server(true);
        let config = SmtpConfig::from_url(&format!("smtp://u:p@127.0.0.1:{port}")).unwrap();
        config
            .send(
                "noreply@clientele.local",
                "ann@example.com",
                b"Subject: Hi\r\n\r\n.hidden\r\nbody",
            )
            .unwrap();
        let transcript = server.join().unwrap();
        assert!(
            transcript.contains("AUTH PLAIN AHUAcA==\r\n"),
            "{transcript}"
        );
        assert!(transcript.contains("MAIL FROM:<noreply@clientele.local>\r\n"));
        assert!(transcript.contains("RCPT TO:<ann@example.com>\r\n"));
        assert!(
            transcript.contains("\r\n..hidden\r\nbody\r\n.\r\n"),
            "{transcript}"
        );
    }

    #[tokio::test]
    async fn the_mailer_port_sends_the_rendered_message() {
        let (port, server) = fake_server(false);
        let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        let message = Message {
            to: clientele_domain::Email::parse(clientele_domain::Field::Email, "ann@example.com")
                .unwrap(),
            subject: "Verify your email address".into(),
            text: "Open https://x/verify-email?token=T\n".into(),
        };
        SmtpMailer::new(config, crate::mail::DEFAULT_FROM)
            .send(message)
            .await
            .unwrap();
        let transcript = server.join().unwrap();
        assert!(
            transcript.contains("MAIL FROM:<no-reply@clientele.invalid>\r\n"),
            "{transcript}"
        );
        assert!(transcript.contains("To: ann@example.com\r\n"));
        assert!(transcript.contains("Subject: Verify your email address\r\n"));
        assert!(transcript.contains("verify-email?token=T\r\n"));
        assert!(transcript.contains("\r\n.\r\nQUIT\r\n"), "{transcript}");
    }

    #[test]
    fn a_refused_step_is_an_error_not_a_hang() {
        let (port, server) = fake_server(false);
        let config = SmtpConfig::from_url(&format!("smtp://u:p@127.0.0.1:{port}")).unwrap();
        let err = config.send("a@b.co", "c@d.co", b"x").unwrap_err();
        assert!(err.to_string().contains("535"), "{err}");
        drop(server);
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{closed}")).unwrap();
        assert!(config.send("a@b.co", "c@d.co", b"x").is_err());
    }
}
